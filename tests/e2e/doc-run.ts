/**
 * Running one doc command as printed and judging it, shared by the doc tests (doc-commands.test.ts: the
 * docs that are not a lesson's; learner-path.test.ts: the lesson pages in the README's order, one server):
 * which commands run until Ctrl-C and the line that says they are ready, the exit code a one-shot
 * command must end with, and the comparison of the ```text block a doc shows with what the command printed.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { LESSON_IDS, LESSONS } from '../../common/lessons';
import { DocSession, lessonOf, partsDoneAt, type Run } from './doc-session';
import { missingFrom, ROOT, type DocCommand, type MatchOptions } from './doc-text';

/**
 * Lesson pages the learner path leaves out for now, each with the reason; tests/e2e/doc-commands.test.ts
 * runs them instead, each alone on its own server.
 */
export const NOT_ON_PATH: Record<string, string> = {};

/**
 * The lesson pages in the order the README's "The learner's path" sends a learner through them (each
 * page once, at its first link), those that exist and are not in NOT_ON_PATH.
 */
export function learnerPath(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = /^## The learner's path\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
  const lessonDocs = new Set(LESSON_IDS.map((id) => LESSONS[id].doc));
  const order: string[] = [];
  for (const [, doc] of section.matchAll(/\]\((docs\/[\w.-]+\.md)\)/g))
    if (lessonDocs.has(doc) && !order.includes(doc)) order.push(doc);
  return order.filter((doc) => fs.existsSync(path.join(ROOT, doc)) && !(doc in NOT_ON_PATH));
}

/** Commands not run, each with the reason. Keyed by `<doc>: <command>`. */
export const NOT_RUN: Record<string, string> = {
  'README.md: npm install': 'the doc tests run in an installed tree',
  'docs/02-order-processing.md: npm install': 'the doc tests run in an installed tree',
  'docs/06-order-fulfillment.md: npm install': 'the doc tests run in an installed tree',
  'README.md: npm test': 'the suite the doc tests belong to',
};

interface LongRunning {
  ready: RegExp;
  kind: 'server' | 'worker' | 'other';
}

/** Commands that run until Ctrl-C, and the line that says they are ready. */
export function longRunning(command: string): LongRunning | undefined {
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
  // A client whose order fails or is stuck exits 1; the output a doc shows for it has the line that says so.
  if (
    /\bnpm run client\b|\/client\.ts\b/.test(cmd.command) &&
    cmd.expected?.some((l) => /^(Failed|Stuck)\b/.test(l.trim()))
  )
    return 1;
  // mocha exits with the number of tests that failed, which the output a doc shows ends with.
  if (/\bmocha\b/.test(cmd.command)) {
    const failed = cmd.expected?.map((l) => /^tests: \d+ passed, (\d+) failed/.exec(l.trim())?.[1]).find(Boolean);
    return failed ? Number(failed) : 0;
  }
  return 0;
}

/** Exit codes that are right for a one-shot command. */
export function expectedExits(cmd: DocCommand): number[] {
  // diff: 0 when the trees are the same, 1 when they differ (a finished exercise may keep a starter import).
  if (/^diff -r /.test(cmd.command)) return [0, 1];
  return [expectedExit(cmd)];
}

/** `npm run server` on the session's free ports instead of 7233/8233 (which may be yours). */
export async function onOurPorts(session: DocSession, command: string): Promise<string> {
  const flags = `--port ${await session.reservePort('port')} --ui-port ${await session.reservePort('uiPort')}`;
  return command.replace(/\bnpm run server\b( --)?/, `npm run server -- ${flags}`);
}

/**
 * Unless `commands` start their own `npm run server`, starts one the way the docs do (on the session's
 * free ports): a learner always has a server running.
 */
export async function serverUnlessStarted(session: DocSession, commands: DocCommand[]): Promise<void> {
  if (commands.some((c) => /\bnpm run server\b/.test(c.command))) return;
  const run = await session.start(
    await onOurPorts(session, 'npm run server'),
    /Starting the Temporal dev server/,
    'server',
  );
  expect(run.code, describeRun(run)).to.equal(null);
}

export function describeRun(run: Run, tail = 4000): string {
  return `exit ${run.code ?? run.signal ?? '(still running)'}; output:\n${run.output.slice(-tail)}`;
}

/**
 * Runs `cmd` in `session` the way a learner would at that point of its doc (the exercises as they are
 * there; a server, worker or `--watch` started and left running, or stopped with Ctrl-C) and checks its
 * exit code and, when the doc shows one, the output. Returns what it printed.
 */
export async function runDocCommand(session: DocSession, cmd: DocCommand, match: MatchOptions = {}): Promise<Run> {
  session.prepareExercises(cmd);
  const long = longRunning(cmd.command);
  let run: Run | undefined;
  try {
    run = await runIt(session, cmd, long);
  } finally {
    // DOC_LOG=file keeps every command's whole output, to read a page's drift against it.
    if (process.env.DOC_LOG && run)
      fs.appendFileSync(
        process.env.DOC_LOG,
        `\n### ${cmd.doc}:${cmd.line} ${cmd.command}\n${describeRun(run, Infinity)}\n`,
      );
  }
  checkExit(run, cmd, long);
  if (cmd.expected) {
    const missing = missingFrom(cmd.expected, run.output, match);
    expect(missing, `${cmd.doc}:${cmd.line}: ${missing}\n\nwhole output:\n${run.output}`).to.equal(undefined);
  }
  return run;
}

async function runIt(session: DocSession, cmd: DocCommand, long: LongRunning | undefined): Promise<Run> {
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
  }
  return run;
}

function checkExit(run: Run, cmd: DocCommand, long: LongRunning | undefined): void {
  if (!long) expect(run.code, describeRun(run)).to.be.oneOf(expectedExits(cmd));
}
