/** The comparisons that matter in each mode: a lesson against its floor, children against a flat workflow… */
import { floorOf } from './rows';
import { round, type RowResult } from './results';

export interface Ratio {
  name: string;
  of: string;
  to: string;
  /** of ÷ to, for orders/s; null when either side has no measurable rate (then `unmeasured` says why). */
  throughput: number | null;
  unmeasured?: string;
  p50: number;
  p95: number;
  /** of ÷ to, for history events per order, when both have them. */
  historyEvents?: number;
  /** of ÷ to, for CPU time per order (worker + server), when both ran on the server. */
  cpu?: number;
  /** For a lesson against its floor: the kit's target is ≥ 0.9 of the floor's orders/s. */
  target?: number;
}

/** Why a row's orders/s cannot be divided by or into: not a positive number. */
function unmeasurable(row: RowResult): string | undefined {
  const rate = row.ordersPerSecond;
  return Number.isFinite(rate) && rate > 0 ? undefined : `${row.name} has no measurable rate (${rate} orders/s)`;
}

function ratio(name: string, of: RowResult, to: RowResult, target?: number): Ratio {
  const unmeasured = unmeasurable(of) ?? unmeasurable(to);
  return {
    name,
    of: of.name,
    to: to.name,
    throughput: unmeasured ? null : round(of.ordersPerSecond / to.ordersPerSecond, 2),
    ...(unmeasured ? { unmeasured } : {}),
    p50: round(of.p50Ms / Math.max(to.p50Ms, 1), 2),
    p95: round(of.p95Ms / Math.max(to.p95Ms, 1), 2),
    ...(of.historyEventsPerOrder !== null && to.historyEventsPerOrder !== null
      ? { historyEvents: round(of.historyEventsPerOrder / to.historyEventsPerOrder, 2) }
      : {}),
    ...(of.serverCpuMsPerOrder !== null && to.serverCpuMsPerOrder !== null
      ? {
          cpu: round(
            (of.workerCpuMsPerOrder + of.serverCpuMsPerOrder) / (to.workerCpuMsPerOrder + to.serverCpuMsPerOrder),
            2,
          ),
        }
      : {}),
    ...(target !== undefined ? { target } : {}),
  };
}

export function mainRatios(results: RowResult[]): Ratio[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  const out: Ratio[] = [];
  for (const r of results) {
    if (r.kind !== 'lesson' || r.name !== `lesson-${r.lesson}`) continue;
    const floor = byName.get(floorOf(r.lesson!));
    if (floor) out.push(ratio(`lesson ${r.lesson} vs its floor ${floor.name}`, r, floor, 0.9));
    const exact = byName.get(`${floorOf(r.lesson!)}+1`);
    if (exact)
      out.push(ratio(`lesson ${r.lesson} vs ${exact.name} (its shape exactly: validate, then children)`, r, exact));
  }
  const flat4 = byName.get('flat-4');
  const flat5 = byName.get('flat-5');
  for (const r of results) {
    if (!/^children-\d+$/.test(r.name)) continue;
    if (flat4) out.push(ratio(`${r.name} vs flat-4 (children vs one workflow, same activities)`, r, flat4));
    if (flat5) out.push(ratio(`${r.name} vs flat-5 (lesson 06's five activities, flat)`, r, flat5));
  }
  return out;
}

export function latencyRatios(results: RowResult[]): Ratio[] {
  const [first, ...others] = results;
  return others.map((r) => ratio(`lesson ${r.lesson} vs lesson ${first.lesson}`, r, first));
}

export function tuningRatios(results: RowResult[]): Ratio[] {
  const base = results.find((r) => r.name === 'default');
  const long = results.find((r) => r.name === 'long-500');
  return results
    .filter((r) => r !== base && r !== long)
    .map((r) =>
      r.name.startsWith('long-')
        ? long && ratio(`${r.name} vs long-500 (the same work in one history)`, r, long)
        : base && ratio(`${r.name} vs default`, r, base),
    )
    .filter((r): r is Ratio => r !== undefined);
}
