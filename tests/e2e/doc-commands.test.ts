/**
 * Every command README.md and docs/*.md show works as printed. Each ```bash line runs, in doc order,
 * in a copy of this repository (tests/e2e/doc-session.ts) against the doc's own `npm run server`, and
 * must end with the exit code it should have; when a ```text block follows, each of its lines must
 * appear, in order, in what the command printed (times, IDs, ports and the like normalised:
 * tests/e2e/doc-text.ts). Long-running commands are started, must print their ready line, and are
 * stopped with Ctrl-C. docs/troubleshooting.md needs broken setups: tests/e2e/troubleshooting.test.ts.
 * Slow (minutes): `npm run test:e2e`, not `npm test`.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { LESSONS } from '../../common/lessons';
import { commandsOf, docFiles, missingFrom, type DocCommand } from './doc-text';
import { copyOfRepo, DocSession, lessonOf, partsDoneAt, type Run } from './doc-session';

/** Docs whose commands another test runs, and which. */
const ELSEWHERE: Record<string, string> = {
  'docs/troubleshooting.md': 'tests/e2e/troubleshooting.test.ts',
};

/** Commands not run here, each with the reason. Keyed by `<doc>: <command>`. */
const NOT_RUN: Record<string, string> = {
  'README.md: npm install': 'this test runs in an installed tree',
  'docs/02-order-processing.md: npm install': 'this test runs in an installed tree',
  'docs/06-order-fulfillment.md: npm install': 'this test runs in an installed tree',
  'README.md: npm test': 'the suite this test belongs to',
  'docs/06-order-fulfillment.md: npm run client -- --order ORDER-001':
    'first shown in "Before you start" as the three-terminal pattern (the starter would fail the order); ' +
    'Part B runs the same command and checks its output',
  'docs/07-parallel-fulfillment.md: npm run client -- --lesson 07 --order ORDER-001':
    'first shown in "Before you start" as the three-terminal pattern (the starter would fail the order); ' +
    'Part A runs the same command and checks its output',
};

interface LongRunning {
  ready: RegExp;
  kind: 'server' | 'worker' | 'other';
}

/** Commands that run until Ctrl-C, and the line that says they are ready. */
function longRunning(command: string): LongRunning | undefined {
  if (/\bnpm run server\b/.test(command))
    return { ready: /Starting the Temporal dev server|already listens/, kind: 'server' };
  if (/\bnpm run worker\b/.test(command)) return { ready: /worker polling "/, kind: 'worker' };
  if (/\bnpm run grade\b.*--watch/.test(command))
    return { ready: /Watching .*save a file to grade again/, kind: 'other' };
  if (/\bnpm run solution\b.*--keep/.test(command)) return { ready: /Ctrl-C stops the worker/, kind: 'other' };
  return undefined;
}

/** The exit code a one-shot command must end with. */
function expectedExit(cmd: DocCommand): number {
  if (/\bnpm run grade\b/.test(cmd.command)) {
    // The grader exits 0 only when every criterion it grades passes: the whole lesson after its last
    // Part, one Part (`--part X`) once the learner has done it (a command in Part X's section runs on
    // the exercises as they are at the end of that Part).
    const at = partsDoneAt(cmd.doc, cmd.line);
    const lesson = lessonOf(cmd.command);
    if (at.all || lesson !== at.lesson || !at.lesson) return 0;
    const parts = Object.keys(LESSONS[at.lesson].parts).sort();
    const done = parts.slice(0, parts.indexOf(at.lastPart ?? '') + 1);
    const only = /--part ([A-Za-z])\b/.exec(cmd.command)?.[1]?.toUpperCase();
    return (only ? done.includes(only) : done.length === parts.length) ? 0 : 1;
  }
  if (/\bnpm run client\b/.test(cmd.command) && cmd.expected?.some((l) => /^Failed\b/.test(l.trim()))) return 1;
  return 0;
}

/** Exit codes that are right for a one-shot command. */
function expectedExits(cmd: DocCommand): number[] {
  // diff: 0 when the trees are the same, 1 when they differ (a finished exercise may keep a starter import).
  if (/^diff -r /.test(cmd.command)) return [0, 1];
  return [expectedExit(cmd)];
}

/** `npm run server` on this doc's free ports instead of 7233/8233 (which may be yours). */
async function onOurPorts(session: DocSession, command: string): Promise<string> {
  const flags = `--port ${await session.reservePort('port')} --ui-port ${await session.reservePort('uiPort')}`;
  return command.replace(/\bnpm run server\b( --)?/, `npm run server -- ${flags}`);
}

function describeRun(run: Run): string {
  return `exit ${run.code ?? run.signal ?? '(still running)'}; output:\n${run.output.slice(-4000)}`;
}

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

  // DOCS=docs/06-order-fulfillment.md (comma-separated) runs only those docs, while you fix one.
  const only = process.env.DOCS?.split(',').map((d) => d.trim());
  for (const doc of docFiles().filter((d) => !(d in ELSEWHERE) && (!only || only.includes(d)))) {
    const commands = commandsOf(doc);
    if (commands.length === 0) continue;

    describe(doc, () => {
      let session: DocSession;

      before(async function () {
        session = new DocSession(doc, copy);
        // A doc without its own `npm run server` line still needs a server: start one the same way.
        if (!commands.some((c) => /\bnpm run server\b/.test(c.command))) {
          const run = await session.start(
            await onOurPorts(session, 'npm run server'),
            /Starting the Temporal dev server/,
            'server',
          );
          expect(run.code, describeRun(run)).to.equal(null);
        }
      });

      after(async () => {
        await session?.stop();
      });

      const seen = new Set<string>();
      for (const cmd of commands) {
        const key = `${doc}: ${cmd.command}`;
        const first = !seen.has(key);
        seen.add(key);
        const why = NOT_RUN[key];
        if (why && first) {
          // Listed, with its reason, in the table above; nothing to run.
          continue;
        }
        it(`${doc}:${cmd.line} ${cmd.command}`, async () => {
          session.prepareExercises(cmd);
          const long = longRunning(cmd.command);
          let run: Run;
          if (long?.kind === 'server') {
            run = await session.start(await onOurPorts(session, cmd.command), long.ready, 'server');
            if (run.code !== null) {
              // Only a second `npm run server` may end at once: it finds the first one listening.
              expect(session.hasServer(), `the server exited before it listened; ${describeRun(run)}`).to.equal(true);
              expect(run.code, describeRun(run)).to.equal(0);
            }
            expect(run.output, describeRun(run)).to.match(long.ready);
          } else if (long) {
            const kind = long.kind === 'worker' ? lessonOf(cmd.command) : 'other';
            run = await session.start(cmd.command, long.ready, kind);
            expect(run.code, `still running after its ready line (${long.ready}); ${describeRun(run)}`).to.equal(null);
            if (long.kind === 'other') {
              // Ctrl-C ends it, cleanly.
              const stopped = await session.interrupt('other');
              const clean = stopped.code === 0 || stopped.code === 130 || stopped.signal === 'SIGINT';
              expect(clean, `after Ctrl-C: ${describeRun(stopped)}`).to.equal(true);
              run = stopped;
            }
          } else {
            run = await session.run(cmd.command);
            expect(run.code, describeRun(run)).to.be.oneOf(expectedExits(cmd));
          }
          if (cmd.expected) {
            const missing = missingFrom(cmd.expected, run.output);
            expect(missing, `${doc}:${cmd.line}: ${missing}\n\nwhole output:\n${run.output}`).to.equal(undefined);
          }
        });
      }
    });
  }
});
