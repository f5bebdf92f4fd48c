/** The bench's report: the machine it ran on, and the text people read (the table, ratios, replays, notes). */
import os from 'node:os';
import path from 'node:path';
import { builtCliPath, cliVersion } from '../../common/kit/temporal-cli';
import { columns } from '../lib/columns';
import type { Mode } from './plan';
import type { Ratio } from './ratios';
import { formatRate, round, type RowResult } from './results';

export interface Machine {
  cpus: number;
  memoryGiB: number;
  node: string;
  platform: string;
  temporalCli: string;
  loadAverageAtStart: number[];
}

/** What `--json` prints; the text report says the same for people. */
export interface Report {
  mode: Mode;
  machine: Machine;
  settings: {
    orders: number;
    concurrency: number;
    repeat: number;
    seed: number;
    lesson?: string;
    latency?: string;
    command: string;
  };
  /** The whole session: from starting the dev server to stopping it. */
  seconds: number;
  rows: RowResult[];
  ratios: Ratio[];
  notes: string[];
}

/** The machine; `loadAverageAtStart` is read before the dev server starts (os.loadavg()), not now. */
export function machine(cliPath: string, loadAverageAtStart: number[]): Machine {
  const version = cliVersion(cliPath) ?? 'unknown version';
  const built = path.resolve(cliPath) === path.resolve(builtCliPath());
  return {
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    temporalCli: `${version}${built ? ' (built from source, v1.5.1)' : ''}`,
    loadAverageAtStart: loadAverageAtStart.map((n) => round(n, 2)),
  };
}

function table(results: RowResult[]): string {
  const head = [
    'row',
    'orders/s',
    'p50 ms',
    'p95 ms',
    'failed',
    'retries',
    'events',
    'worker CPU',
    'server CPU',
    'worker MiB',
    'server MiB',
  ];
  const body = results.map((r) => [
    r.name,
    formatRate(r.ordersPerSecond),
    String(r.p50Ms),
    String(r.p95Ms),
    String(r.failed),
    String(r.retries),
    r.historyEventsPerOrder === null ? '–' : String(r.historyEventsPerOrder),
    r.workerCpuMsPerOrder.toFixed(1),
    r.serverCpuMsPerOrder === null ? '–' : r.serverCpuMsPerOrder.toFixed(1),
    String(r.workerPeakRssMiB),
    r.serverPeakRssMiB === null ? '–' : String(r.serverPeakRssMiB),
  ]);
  const { lines, widths } = columns(head, body);
  const legend = results.map((r) => `  ${r.name.padEnd(widths[0])}  ${r.what}; faults ${r.faults}`);
  return [...lines, '', ...legend].join('\n');
}

function formatRatio(r: Ratio): string {
  const pct =
    r.throughput === null
      ? `orders/s not compared: ${r.unmeasured}`
      : `${Math.round(r.throughput * 100)} % of the orders/s`;
  const verdict =
    r.target === undefined || r.throughput === null
      ? ''
      : r.throughput >= r.target
        ? '  (target ≥ 90 %: met)'
        : '  (target ≥ 90 %: MISSED)';
  const events = r.historyEvents === undefined ? '' : `, ${r.historyEvents}× the history events`;
  const cpu = r.cpu === undefined ? '' : `, ${r.cpu}× the CPU time`;
  return `  ${r.name}: ${pct}, p50 ${r.p50}×, p95 ${r.p95}×${events}${cpu}${verdict}`;
}

/** The report for people, on stdout. */
export function printReport(report: Report): void {
  const { machine: m, settings: s, rows: results, ratios, notes } = report;
  console.log('');
  console.log(
    `Machine: ${m.cpus} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, Temporal CLI ${m.temporalCli}; ` +
      `load average at start ${m.loadAverageAtStart.join(' ')}`,
  );
  console.log(
    `${s.orders} orders per row, ${s.concurrency} in flight, seed ${s.seed}${s.latency ? `, latency ${s.latency}` : ''}` +
      `${s.lesson ? `, lesson ${s.lesson} only` : ''}` +
      `${s.repeat > 1 ? `, medians of ${s.repeat} rounds` : ''}; ` +
      'p50/p95: from start request to result; retries: from the ledger; events: history events per order, children\n' +
      'included; CPU: ms of CPU time per order (this process = the worker, and the dev server); MiB: peak RSS',
  );
  console.log('');
  console.log(table(results));
  if (ratios.length) {
    console.log('');
    console.log('Ratios:');
    for (const r of ratios) console.log(formatRatio(r));
  }
  const replays = results.filter((r) => r.replay);
  if (replays.length) {
    console.log('');
    console.log('Replaying one history from its first event (what a worker does after a cache eviction or a restart):');
    for (const r of replays) console.log(`  ${r.name}: ${r.replay!.events} events in ${r.replay!.ms} ms`);
  }
  for (const note of notes) console.log(`Note: ${note}`);
  console.log(`\n(${report.seconds} s in all, starting and stopping the dev server included)`);
}
