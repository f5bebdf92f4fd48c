/**
 * `npm run bench`: what Temporal costs for each shape of workflow, and what the kit adds on top.
 *
 * In one process, on one private dev server, with the same worker settings and the same orders:
 *   - the engine's floor: the lessons' shapes with no-op activities (scripts/bench/workflows.ts);
 *   - every lesson of the manifest with a solution, with faults off and with the lesson's faults;
 *   - every lesson's original (the monolith), the same way.
 * For each row: orders/s, p50/p95 order latency (start request → result), failed orders, retries (from
 * the ledger), history events per order, peak RSS of this process (the worker) and of the server.
 * Then the ratios that matter: each lesson against its floor, children against a flat workflow.
 *
 * Two more modes on the same machinery:
 *   --latency  the lessons with children (06 sequential, 07 parallel…) with the same orders, faults and
 *              simulated service latency (ORDER_LATENCY): what running children in parallel buys.
 *   --tuning   the parent-with-children floor under worker settings and shapes that are said to help
 *              when throughput matters, each against the default.
 *
 * `--lesson NN` keeps one lesson's rows (and its floors), `--only` picks rows by name.
 *
 * The parts are under scripts/bench/: the plan (flags, rows, which of them run), the session on the
 * server, the measurement of one row (on Temporal or on the monolith), the ratios and the report.
 */
import os from 'node:os';
import { runMain } from '../common/cli';
import { ensureTemporalCli } from '../common/kit/temporal-cli';
import { parseArgs } from './lib/args';
import { FLAGS, helpText, planFrom, type Mode } from './bench/plan';
import { latencyRatios, mainRatios, tuningRatios, type Ratio } from './bench/ratios';
import { machine, printReport, type Report } from './bench/report';
import { round, type RowResult } from './bench/results';
import { runSession } from './bench/session';

const RATIOS: Record<Mode, (results: RowResult[]) => Ratio[]> = {
  main: mainRatios,
  latency: latencyRatios,
  tuning: tuningRatios,
};

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    console.log(helpText());
    return 0;
  }
  const plan = planFrom(args);
  const cliPath = await ensureTemporalCli((line) => process.stderr.write(`${line}\n`));
  // Before the dev server starts: how busy the machine was before the bench added its own load.
  const loadAverageAtStart = os.loadavg();
  const startedAt = Date.now();
  const results = await runSession(plan);
  const report: Report = {
    mode: plan.mode,
    machine: machine(cliPath, loadAverageAtStart),
    settings: {
      orders: plan.count,
      concurrency: plan.concurrency,
      repeat: plan.repeat,
      seed: plan.seed,
      ...(plan.lesson ? { lesson: plan.lesson } : {}),
      ...(plan.latency ? { latency: plan.latency.toString() } : {}),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    },
    seconds: round((Date.now() - startedAt) / 1000, 1),
    rows: results,
    ratios: RATIOS[plan.mode](results),
    notes: plan.notes,
  };
  if (plan.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else printReport(report);
  return 0;
}

if (require.main === module) runMain(main);
