/**
 * Every command README.md and the docs that are not a lesson's show works as printed. Each ```bash line
 * runs, in doc order, in a copy of this repository (tests/e2e/doc-session.ts) against the doc's own
 * `npm run server`, and must end with the exit code it should have; when a ```text block follows, each
 * of its lines must appear, in order, in what the command printed (times, IDs, ports and the like
 * normalised: tests/e2e/doc-text.ts). Long-running commands are started, must print their ready line,
 * and are stopped with Ctrl-C. The lesson pages run in tests/e2e/learner-path.test.ts, one after the
 * other on one server, as a learner reads them; DOCS=docs/06-order-fulfillment.md (comma-separated) runs
 * the named docs here instead, each alone on a fresh server, while you fix one. docs/troubleshooting.md
 * needs broken setups: tests/e2e/troubleshooting.test.ts. Slow (minutes): `npm run test:e2e`, not `npm test`.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { commandsOf, docFiles } from './doc-text';
import { copyOfRepo, DocSession } from './doc-session';
import { learnerPath, NOT_RUN, runDocCommand, serverUnlessStarted } from './doc-run';

/** Docs whose commands another test runs, and which. */
const ELSEWHERE: Record<string, string> = {
  'docs/troubleshooting.md': 'tests/e2e/troubleshooting.test.ts',
  ...Object.fromEntries(learnerPath().map((doc) => [doc, 'tests/e2e/learner-path.test.ts'])),
};

describe('doc commands: every command in README.md and docs/ works as printed', function () {
  this.timeout(600_000);
  let copy: string;

  before(() => {
    copy = copyOfRepo();
  });

  after(() => {
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
  });

  it('every doc with commands is covered, here or elsewhere, and every command not run says why', () => {
    const shown = new Set(docFiles().flatMap((doc) => commandsOf(doc).map((c) => `${doc}: ${c.command}`)));
    for (const key of Object.keys(NOT_RUN)) expect(shown, `NOT_RUN lists "${key}", which no doc shows`).to.include(key);
    for (const doc of Object.keys(ELSEWHERE)) expect(docFiles()).to.include(doc);
  });

  const only = process.env.DOCS?.split(',').map((d) => d.trim());
  for (const doc of docFiles().filter((d) => (only ? only.includes(d) : !(d in ELSEWHERE)))) {
    const commands = commandsOf(doc);
    if (commands.length === 0) continue;

    describe(doc, () => {
      let session: DocSession;

      before(async function () {
        session = new DocSession(doc, copy);
        // A doc without its own `npm run server` line still needs a server: start one the same way.
        await serverUnlessStarted(session, commands);
      });

      after(async () => {
        await session?.stop();
      });

      for (const cmd of commands) {
        // Listed, with its reason, in NOT_RUN; nothing to run.
        if (NOT_RUN[`${doc}: ${cmd.command}`]) continue;
        it(`${doc}:${cmd.line} ${cmd.command}`, async () => {
          await runDocCommand(session, cmd, { exactIds: doc in ELSEWHERE });
        });
      }
    });
  }
});
