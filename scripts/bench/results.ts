/** One row's figures: from its orders' outcomes and the meter's reading, and the medians over rounds. */
import type { LessonId } from '../../common/lessons';
import type { WorkerTuning } from '../../common/worker';
import type { MeterReading } from './meter';
import type { RowKind, RowSpec } from './rows';

export interface RowResult {
  name: string;
  what: string;
  kind: RowKind;
  lesson?: LessonId;
  faults: string;
  latency: string;
  tuning?: WorkerTuning;
  orders: number;
  completed: number;
  failed: number;
  seconds: number;
  ordersPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  /** Service calls beyond the first per idempotency key, from the ledger (0 for the floor: no services). */
  retries: number;
  /** Events in the order's history plus its children's, averaged over the first orders; null for the monolith. */
  historyEventsPerOrder: number | null;
  /** CPU time this process (the worker, or the monolith) spent per order, in ms. */
  workerCpuMsPerOrder: number;
  /** CPU time the dev server spent per order, in ms; null for the monolith. */
  serverCpuMsPerOrder: number | null;
  /** Peak resident memory of this process (the worker, or the monolith) while the row ran. */
  workerPeakRssMiB: number;
  /** Peak resident memory of the dev server while the row ran; null for the monolith. */
  serverPeakRssMiB: number | null;
  /** With --repeat: each round's timings (the row's own figures are their medians). */
  rounds?: Pick<RowResult, 'ordersPerSecond' | 'p50Ms' | 'p95Ms' | 'workerCpuMsPerOrder' | 'serverCpuMsPerOrder'>[];
  /** Replaying the first order's history (its last run) in a replay worker, as after a cache eviction. */
  replay?: { events: number; ms: number };
}

/** Nearest-rank percentile of `values` (not empty). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * Orders per second to one decimal, and below 1 to two significant digits: a row of one long order
 * (500 activities, about a minute) runs at 0.02 orders/s, which one decimal would print as 0.0.
 */
export function roundRate(perSecond: number): number {
  return perSecond >= 1 ? round(perSecond, 1) : Number(perSecond.toPrecision(2));
}

/** A rate as the report prints it: `4.5`, `0.020`. */
export function formatRate(perSecond: number): string {
  return perSecond >= 1 ? perSecond.toFixed(1) : perSecond.toPrecision(2);
}

export function summarize(
  row: RowSpec,
  runs: { ok: boolean; latencyMs: number }[],
  seconds: number,
  extra: Pick<RowResult, 'retries' | 'historyEventsPerOrder'>,
  meter: MeterReading,
): RowResult {
  const latencies = runs.map((r) => r.latencyMs);
  const completed = runs.filter((r) => r.ok).length;
  return {
    name: row.name,
    what: row.what,
    kind: row.kind,
    ...(row.lesson ? { lesson: row.lesson } : {}),
    faults: row.faults.toString() || 'none',
    latency: row.latency.toString() || 'none',
    ...(row.tuning ? { tuning: row.tuning } : {}),
    orders: runs.length,
    completed,
    failed: runs.length - completed,
    seconds: round(seconds, 2),
    ordersPerSecond: roundRate(runs.length / Math.max(seconds, 0.001)),
    p50Ms: Math.round(percentile(latencies, 50)),
    p95Ms: Math.round(percentile(latencies, 95)),
    ...extra,
    workerCpuMsPerOrder: round(meter.workerCpuMs / runs.length, 1),
    serverCpuMsPerOrder: meter.serverCpuMs === null ? null : round(meter.serverCpuMs / runs.length, 1),
    workerPeakRssMiB: Math.round(meter.workerMiB),
    serverPeakRssMiB: meter.serverMiB === null ? null : Math.round(meter.serverMiB),
  };
}

/**
 * One row from several rounds: the median of each timing (orders/s, latencies, CPU), the largest peak
 * memory; counts (failed, retries, events) are the same every round with seeded faults, so the first.
 */
export function medianOf(rounds: RowResult[]): RowResult {
  if (rounds.length === 1) return rounds[0];
  const median = (pick: (r: RowResult) => number) => percentile(rounds.map(pick), 50);
  const maxOf = (pick: (r: RowResult) => number | null) => {
    const values = rounds.map(pick).filter((v): v is number => v !== null);
    return values.length ? Math.max(...values) : null;
  };
  return {
    ...rounds[0],
    seconds: median((r) => r.seconds),
    ordersPerSecond: median((r) => r.ordersPerSecond),
    p50Ms: median((r) => r.p50Ms),
    p95Ms: median((r) => r.p95Ms),
    workerCpuMsPerOrder: median((r) => r.workerCpuMsPerOrder),
    serverCpuMsPerOrder: rounds[0].serverCpuMsPerOrder === null ? null : median((r) => r.serverCpuMsPerOrder!),
    workerPeakRssMiB: maxOf((r) => r.workerPeakRssMiB)!,
    serverPeakRssMiB: maxOf((r) => r.serverPeakRssMiB),
    rounds: rounds.map((r) => ({
      ordersPerSecond: r.ordersPerSecond,
      p50Ms: r.p50Ms,
      p95Ms: r.p95Ms,
      workerCpuMsPerOrder: r.workerCpuMsPerOrder,
      serverCpuMsPerOrder: r.serverCpuMsPerOrder,
    })),
  };
}
