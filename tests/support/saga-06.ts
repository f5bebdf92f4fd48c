/**
 * What lesson 06's saga tests share (tests/integration/saga-06-undos.test.ts and saga-06-reruns.test.ts):
 * one solution worker for both files, scenarios on fresh ledgers whose outages end when the test says so,
 * results that never reject (each scenario reports in its own `it`), and the ledger's counts at one
 * moment.
 */
import { FaultPlan, type Audit, type FaultDecision, type FaultStep } from '../../services';
import { solution06Scenarios, type Scenario06 } from './scenarios-06';

/**
 * A fault plan whose outage ends when the test says so: `recover(step)` and that step never fails again.
 * A failing undo can then be watched for as long as it takes (no race with the next round), and
 * recover at a moment the test chooses.
 */
export class Outage extends FaultPlan {
  private readonly recovered = new Set<FaultStep>();

  recover(step: FaultStep): void {
    this.recovered.add(step);
  }

  override decide(step: FaultStep, orderId: string, attempt: number): FaultDecision {
    return this.recovered.has(step) ? 'none' : super.decide(step, orderId, attempt);
  }
}

/** One solution worker for both saga files: each scenario's orders are routed to its own ledger. */
const saga = solution06Scenarios('saga-06');
export const worker = saga.worker;

/**
 * A fresh ledger with `faults` (seeded rules, an outage until the test calls `faults.recover`) for the
 * length of `body`, on the shared worker: activity calls of the orders `newOrderId` names go to this ledger.
 */
export function scenario<T>(faults: string, body: (ctx: Scenario06<Outage>) => Promise<T>): Promise<T> {
  return saga.scenario(new Outage(FaultPlan.parse(faults).spec, 1), body);
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Never rejects: a scenario that throws reports it in its own `it`, and the others still run. */
export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

export function valueOf<T>(settled: Settled<T> | undefined): T {
  if (!settled) throw new Error('the scenario did not run');
  if (!settled.ok) throw settled.error;
  return settled.value;
}

/** What the ledger held at one moment. */
export function counts(audit: Audit) {
  return {
    charges: audit.charges.length,
    refunds: audit.refunds.length,
    reservations: audit.reservations.length,
    releases: audit.releases.length,
    shipments: audit.shipments.length,
    orphans: audit.orphanedCharges.length,
    stuck: audit.stuckReservations.length,
    shippedUnpaid: audit.shippedUnpaid.length,
  };
}
