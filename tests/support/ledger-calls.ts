/**
 * Reading a ledger while orders run (the end-to-end tests that stop or kill an order at a chosen
 * moment): whether a step has gone through or failed yet, whether a call is in flight, a wait until an
 * order's calls show a moment, and the audit every clean-up must leave behind.
 */
import { expect } from 'chai';
import { until } from '../../common/kit/wait';
import type { Audit, CallRow, Ledger } from '../../services';

/** Whether a call of `step` went through. */
export const succeeded = (calls: CallRow[], step: string) => calls.some((c) => c.step === step && c.outcome === 'ok');

/** Whether a call of `step` failed with an injected fault. */
export const faulted = (calls: CallRow[], step: string) => calls.some((c) => c.step === step && c.outcome === 'fault');

/** Whether a call has started and not yet ended. */
export const inFlight = (calls: CallRow[]) => calls.some((c) => c.outcome === 'started');

/** Polls the ledger until `done(calls of the order)`; throws after `timeoutMs`, with the calls it saw. */
export async function untilCalls(
  ledger: Ledger,
  orderId: string,
  done: (calls: CallRow[]) => boolean,
  timeoutMs: number,
): Promise<void> {
  if (!(await until(() => done(ledger.calls({ orderId })), { timeoutMs, everyMs: 25 })))
    throw new Error(`${orderId}: ${JSON.stringify(ledger.calls({ orderId }))}`);
}

/** Nothing orphaned, stuck, or shipped unpaid. */
export function expectCleanAudit(audit: Audit): void {
  expect(audit.orphanedCharges).to.deep.equal([]);
  expect(audit.stuckReservations).to.deep.equal([]);
  expect(audit.shippedUnpaid).to.deep.equal([]);
}
