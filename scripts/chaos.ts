/**
 * `npm run chaos`: the fault matrix of lessons 03, 06 and 07 on a real dev server with a file database,
 * with the lesson's own worker entry point (solution/<lesson>/worker.ts) in separate processes,
 * configured only through its environment (LEDGER_PATH, ORDER_FAULTS, TASK_QUEUE, TEMPORAL_ADDRESS),
 * as a learner or an operator runs it. Each case breaks something (kills the worker with SIGKILL,
 * kills the server with SIGKILL and restarts it on its database, makes an undo fail for a while,
 * re-runs a failed order ID, makes a step answer after its timeout, sends 300 orders at once), waits
 * until every order has ended and every late call has landed, and then reads the ledger: nothing lost
 * (no orphaned charge, no stuck reservation), nothing free (nothing shipped but not paid), nothing done
 * twice (one charge per order), every order ended as expected.
 *
 * Each case gets its own dev server (so its peak memory and CPU time are its own), ledger and task
 * queue; cases run a few at a time. It prints progress lines, then a table, then `tests: N passed, N failed` (one test
 * per case), and exits 1 when any case fails.
 *
 * This file is the command line (flags, which cases, in what order); the cases and their machinery
 * live in scripts/chaos/, as bench's do in scripts/bench/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMain } from '../common/cli';
import { LESSON_IDS } from '../common/lessons';
import { mapLimited } from '../common/kit/limit';
import type { CaseSpec } from './chaos/case';
import { cases } from './chaos/cases';
import { machine, printResults, summary } from './chaos/report';
import { runCase } from './chaos/run-case';
import { parseArgs, usage, UsageError } from './lib/args';

const FLAGS = {
  runs: { type: 'int', min: 1, max: 20, description: 'runs of each case (default 3)' },
  orders: { type: 'int', min: 1, max: 200, description: 'orders per run of each fault case (default 10)' },
  load: { type: 'int', min: 1, max: 2000, description: 'orders in the concurrency case, one run (default 300)' },
  only: { type: 'string', description: 'run only these cases (comma-separated ids, see the table)' },
  lesson: {
    type: 'string',
    choices: LESSON_IDS,
    description: 'run only the cases of this lesson (default: every lesson the matrix covers)',
  },
  parallel: { type: 'int', min: 1, max: 8, description: 'cases at a time (default 4; the load case runs alone, last)' },
  json: { type: 'boolean', description: 'print the results as JSON instead of a table' },
} as const;

/** The lessons the cases run, in the manifest's order. */
function lessonsOf(all: CaseSpec[]): string[] {
  return LESSON_IDS.filter((id) => all.some((c) => c.lesson === id));
}

/** `03, 06 and 07`. */
function inWords(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}` : items.join('');
}

/** The cases `--only` and `--lesson` pick, in the table's order; a pick that matches nothing is refused. */
function choose(all: CaseSpec[], only: string[] | undefined, lesson: string | undefined): CaseSpec[] {
  const unknown = only?.filter((id) => !all.some((c) => c.id === id));
  if (unknown?.length) {
    throw new UsageError(`--only: unknown case ${unknown.join(', ')}; cases: ${all.map((c) => c.id).join(', ')}`);
  }
  let chosen = only ? all.filter((c) => only.includes(c.id)) : all;
  if (lesson !== undefined) {
    const covered = lessonsOf(all);
    if (!covered.includes(lesson)) {
      throw new UsageError(`--lesson ${lesson}: no case runs it; the cases run lessons ${covered.join(', ')}`);
    }
    chosen = chosen.filter((c) => c.lesson === lesson);
    if (chosen.length === 0) {
      const its = all.filter((c) => c.lesson === lesson).map((c) => c.id);
      throw new UsageError(`--lesson ${lesson}: none of the --only cases runs it; its cases: ${its.join(', ')}`);
    }
  }
  return chosen;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  const options = { runs: args.runs ?? 3, orders: args.orders ?? 10, load: args.load ?? 300 };
  const all = cases(options);
  if (args.help) {
    console.log(
      usage(
        'npm run chaos --',
        `Runs the fault matrix of lessons ${inWords(lessonsOf(all))} on real dev servers with file databases and prints what survived.\nCases: ${all.map((c) => c.id).join(', ')}.`,
        FLAGS,
      ),
    );
    return 0;
  }
  const only = args.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const chosen = choose(all, only, args.lesson);
  const parallel = args.parallel ?? 4;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-chaos-'));
  const started = Date.now();
  process.stderr.write(
    `chaos: ${chosen.length} cases, ${options.runs} runs of ${options.orders} orders each (load case: ${options.load} orders once), ` +
      `${parallel} at a time; ${machine()}; work dir ${root}\n`,
  );
  // The load case last and alone: with the others beside it, on two cores, the server falls behind,
  // its persistence calls time out and are retried, and the retries make it worse.
  const light = chosen.filter((c) => c.id !== 'load');
  const results = await mapLimited(light, parallel, (spec) => runCase(spec, options, root));
  for (const spec of chosen.filter((c) => c.id === 'load')) results.push(await runCase(spec, options, root));
  const failed = results.filter((r) => !r.passed);
  const seconds = Math.round((Date.now() - started) / 1000);
  printResults(results, seconds, args.json ?? false);
  if (failed.length === 0) fs.rmSync(root, { recursive: true, force: true });
  else process.stderr.write(`servers' logs and databases kept in ${root}\n`);
  (args.json ? process.stderr : process.stdout).write(summary(results));
  return failed.length ? 1 : 0;
}

runMain(main);
