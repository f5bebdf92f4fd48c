/**
 * How far a run's orders have got, read from the ledger while they run: the moments a case waits for
 * (half the orders charged, every late call landed) and the progress its log lines and notes quote.
 */
import type { CallRow } from '../../services';
import { until } from '../../common/kit/wait';
import type { RunContext } from './case';

/** The ledger's calls for this run's orders. */
export function callsOf(run: RunContext, step: string): CallRow[] {
  const ids = new Set(run.orders.map((o) => o.orderId));
  return run.ledger.calls({ step }).filter((c) => ids.has(c.orderId));
}

/** How many of this run's orders have a call of `step` that ended with `outcome` (any outcome if omitted). */
export function ordersWith(run: RunContext, step: string, outcome?: string): number {
  return new Set(
    callsOf(run, step)
      .filter((c) => outcome === undefined || c.outcome === outcome)
      .map((c) => c.orderId),
  ).size;
}

export function describeProgress(run: RunContext): string {
  const n = run.orders.length;
  return (
    `charged ${ordersWith(run, 'payment', 'ok')}/${n}, reserved ${ordersWith(run, 'inventory', 'ok')}/${n}, ` +
    `refunds ${ordersWith(run, 'refund', 'ok')}/${n}, releases ${ordersWith(run, 'release', 'ok')}/${n}`
  );
}

/** Waits (up to a minute) until no call of this run's orders is still on its way to a service. */
export function lateCallsLanded(run: RunContext): Promise<boolean> {
  const ids = new Set(run.orders.map((o) => o.orderId));
  return until(() => !run.ledger.calls().some((c) => c.outcome === 'started' && ids.has(c.orderId)), {
    timeoutMs: 60_000,
  });
}
