/**
 * One learner, one server: every lesson page's commands, as printed, in the order the README's "The
 * learner's path" sends a learner through the pages (02, 03, 06, 07, 08), on ONE `npm run server` started
 * as the pages say (on free ports, in a copy of this repository) and the DEFAULT ledgers
 * (`.data/lesson-<NN>.sqlite`), never reset between commands or pages. Each ```text block a page shows
 * must be what its command printed, tracking numbers and charge IDs included; times, run IDs and ports
 * are normalised (tests/e2e/doc-text.ts). At each command the lesson's exercises are what the learner
 * has there: the starter, then each Part done in turn (tests/e2e/lesson-state.ts).
 *
 * What it catches that one server per page cannot: lessons colliding. The pages reuse order IDs
 * (ORDER-001 …) and fault rules (`inventory=first:2` on ORDER-003 in lessons 02 and 06): if lessons
 * shared a ledger, lesson 02 would spend the faulted attempts and lesson 06's retry demo would complete
 * instead of failing; if lessons shared workflow IDs, lesson 07's orders would be refused as already run
 * after lesson 06's. Either shows here as a wrong exit code or output. Slow (minutes): `npm run test:e2e`.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { commandsOf } from './doc-text';
import { copyOfRepo, DocSession } from './doc-session';
import { learnerPath, NOT_ON_PATH, NOT_RUN, runDocCommand, serverUnlessStarted } from './doc-run';

const PAGES = learnerPath();

/** The order IDs a page's clients start: `--order ORDER-003`, or the first free one when none is given. */
function orderIdsOf(doc: string): Set<string> {
  const ids = new Set<string>();
  for (const { command } of commandsOf(doc)) {
    if (!/\bnpm run client\b|\/client\.ts\b/.test(command)) continue;
    ids.add(/(?:--order[ =]|client\.ts )(ORDER-\d+)/.exec(command)?.[1] ?? 'ORDER-001');
  }
  return ids;
}

describe("learner path: one server and the default ledgers, every lesson page in the README's order", function () {
  this.timeout(600_000);
  let copy: string;
  let session: DocSession;

  before(async () => {
    copy = copyOfRepo();
    session = new DocSession(PAGES.join(', '), copy);
    // The first page starts the server itself (`npm run server`, terminal 1); if it had no such line,
    // the learner would still have one running, as the README's path says.
    await serverUnlessStarted(session, commandsOf(PAGES[0]));
  });

  after(async () => {
    await session?.stop();
    if (copy) fs.rmSync(copy, { recursive: true, force: true });
  });

  it(`follows ${PAGES.join(', ')}${Object.keys(NOT_ON_PATH).length ? ` (not yet: ${Object.keys(NOT_ON_PATH).join(', ')})` : ''}, whose clients share order IDs across lessons`, () => {
    expect(PAGES.length, 'the README links no lesson page under "The learner\'s path"').to.be.greaterThan(1);
    // Without an order ID run by two lessons, a collision between lessons could not show here.
    const shared = [...orderIdsOf(PAGES[0])].filter((id) => PAGES.slice(1).some((doc) => orderIdsOf(doc).has(id)));
    expect(shared.length, 'no order ID is run by two lesson pages').to.be.greaterThan(0);
  });

  for (const doc of PAGES) {
    describe(doc, () => {
      let started = 0;
      before(() => {
        started = Date.now();
      });
      // The learner stops this page's workers and background commands before the next page; the server stays.
      after(async () => {
        await session?.stopBackground();
        console.log(`    (${doc}: ${Math.round((Date.now() - started) / 1000)} s)`);
      });

      for (const cmd of commandsOf(doc)) {
        if (NOT_RUN[`${doc}: ${cmd.command}`]) continue;
        it(`${doc}:${cmd.line} ${cmd.command}`, async () => {
          await runDocCommand(session, cmd, { exactIds: true });
        });
      }
    });
  }
});
