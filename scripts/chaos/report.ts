/**
 * What `npm run chaos` prints when the cases are done: a table (or JSON for programs), the machine it
 * ran on, and one test per case for CI's totals. docs/chaos.md quotes this output: keep it in step.
 */
import os from 'node:os';
import { columns } from '../lib/columns';
import type { CaseResult } from './case';

function table(results: CaseResult[]): string {
  const header = [
    'case',
    'runs',
    'result',
    'orders',
    'charges',
    'refunds',
    'orphans',
    'stuck',
    'shipped-unpaid',
    'late refused',
    'worker RSS',
    'server RSS',
    'CPU',
    'time',
  ];
  const rows = results.map((r) => [
    r.title,
    String(r.runs),
    r.passed ? 'PASS' : 'FAIL',
    String(r.orders),
    String(r.charges),
    String(r.refunds),
    String(r.orphans),
    String(r.stuck),
    String(r.shippedUnpaid),
    String(r.refusedLate),
    `${r.workerPeakMiB} MiB`,
    `${r.serverPeakMiB} MiB`,
    `${r.workerCpuSeconds + r.serverCpuSeconds} s`,
    `${r.seconds} s`,
  ]);
  const out = columns(header, rows, { left: [0, 2], rule: true }).lines;
  out.push(
    'orphans: charged, not refunded, nothing shipped; stuck: reserved, not released, nothing shipped; ' +
      'late refused: steps that arrived after their undo and were refused; ' +
      "RSS: peak (VmHWM) of the largest worker / server process; CPU: all of the case's workers and servers",
  );
  for (const r of results) {
    for (const note of r.notes) out.push(`  ${r.id}: ${note}`);
    for (const problem of r.problems) out.push(`  ${r.id} FAIL: ${problem}`);
  }
  return out.join('\n');
}

/** The machine the matrix ran on, as the first progress line and the last table line both say it. */
export function machine(): string {
  return `node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
}

/** The results on stdout: a table for people, or JSON for programs. */
export function printResults(results: CaseResult[], seconds: number, json: boolean): void {
  if (json) {
    console.log(
      JSON.stringify(
        {
          node: process.version,
          cores: os.cpus().length,
          memGiB: Math.round(os.totalmem() / 2 ** 30),
          seconds,
          results,
        },
        null,
        2,
      ),
    );
  } else {
    console.log(`\n${table(results)}\n`);
    console.log(`${machine()}; ${seconds} s in all`);
  }
}

/** One test per case, for CI's totals; a `failed: ` line names each failed case, as the test reporter does. */
export function summary(results: CaseResult[]): string {
  const failed = results.filter((r) => !r.passed);
  return (
    failed.map((r) => `failed: ${r.title} (${r.id}): ${r.problems.join('; ')}\n`).join('') +
    `tests: ${results.length - failed.length} passed, ${failed.length} failed\n`
  );
}
