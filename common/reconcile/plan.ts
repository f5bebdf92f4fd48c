/**
 * What the ledger says each order left behind, read without Temporal: every forward key an order used
 * (its payment, inventory and shipping calls), whether the effect under it is live, already undone or
 * never landed, and which orders need a look at all.
 */
import type { Audit, CallRow } from '../../services';
import { FORWARD_STEPS, UNDO_OF, undoKeyOf, type ForwardStep } from './shared';

export interface KeyState {
  step: ForwardStep;
  /** The forward step's idempotency key, e.g. `payment-ORDER-001`. */
  key: string;
  /**
   * `live`: charged, reserved or shipped, and not undone; `undone`: it landed and was undone already;
   * `absent`: nothing has landed under the key.
   */
  state: 'live' | 'undone' | 'absent';
  /** A call with this key that has not answered (in flight, or cut off by a crashed worker). */
  inFlight: boolean;
  /** Its undo already ran, under the saga's or reconcile's key (`refund-payment-ORDER-001`), and answered. */
  undoRan: boolean;
  amountCents?: number;
  itemCount?: number;
  trackingNumber?: string;
}

export interface OrderLeftovers {
  orderId: string;
  /** Newest first (the order in which they are undone). */
  keys: KeyState[];
  /** What the audit holds against the order now. */
  orphanedCharges: number;
  stuckReservations: number;
  shippedUnpaid: number;
}

/**
 * The orders worth a look, by order ID (ORDER-2 before ORDER-10): those the audit flags (an
 * orphaned charge, a stuck reservation, a shipment not paid for), and those with a forward call still
 * unanswered whose undo never ran (it may land late: its undo makes the service refuse it).
 *
 * An order that shipped and is paid for is not one of them, whatever became of its workflow.
 */
export function ordersToExamine(audit: Audit, calls: CallRow[]): OrderLeftovers[] {
  const refunded = new Set(audit.refunds.map((r) => r.chargeId));
  const released = new Set(audit.releases.map((r) => r.reservationId));
  const charges = new Map(audit.charges.map((c) => [c.key, c]));
  const reservations = new Map(audit.reservations.map((r) => [r.key, r]));
  const shipments = new Map(audit.shipments.map((s) => [s.key, s]));
  const undoneOk = new Set(calls.filter((c) => c.outcome === 'ok').map((c) => `${c.step} ${c.key}`));

  // Every forward key of every order, in the order of its first call.
  const byOrder = new Map<string, Map<string, KeyState>>();
  for (const call of calls) {
    if (!(FORWARD_STEPS as string[]).includes(call.step)) continue;
    const step = call.step as ForwardStep;
    const keys = byOrder.get(call.orderId) ?? new Map<string, KeyState>();
    byOrder.set(call.orderId, keys);
    const id = `${step} ${call.key}`;
    let state = keys.get(id);
    if (!state) {
      state = { step, key: call.key, state: 'absent', inFlight: false, undoRan: false };
      if (step === 'payment' && charges.has(call.key)) {
        const charge = charges.get(call.key)!;
        state.state = refunded.has(charge.chargeId) ? 'undone' : 'live';
        state.amountCents = charge.amountCents;
      } else if (step === 'inventory' && reservations.has(call.key)) {
        const reservation = reservations.get(call.key)!;
        state.state = released.has(reservation.reservationId) ? 'undone' : 'live';
        state.itemCount = reservation.itemCount;
      } else if (step === 'shipping' && shipments.has(call.key)) {
        const shipment = shipments.get(call.key)!;
        state.state = shipment.cancelled ? 'undone' : 'live';
        state.trackingNumber = shipment.trackingNumber;
      }
      state.undoRan = undoneOk.has(`${UNDO_OF[step]} ${undoKeyOf(step, call.key)}`);
      keys.set(id, state);
    }
    if (call.outcome === 'started') state.inFlight = true;
  }

  const count = (rows: { orderId: string }[]) => {
    const n = new Map<string, number>();
    for (const row of rows) n.set(row.orderId, (n.get(row.orderId) ?? 0) + 1);
    return n;
  };
  const orphaned = count(audit.orphanedCharges);
  const stuck = count(audit.stuckReservations);
  const unpaid = count(audit.shippedUnpaid);

  const orders: OrderLeftovers[] = [];
  for (const [orderId, keys] of byOrder) {
    const list = [...keys.values()].reverse();
    const flagged = orphaned.has(orderId) || stuck.has(orderId) || unpaid.has(orderId);
    const lateRisk = list.some((k) => k.state === 'absent' && k.inFlight && !k.undoRan);
    if (!flagged && !lateRisk) continue;
    orders.push({
      orderId,
      keys: list,
      orphanedCharges: orphaned.get(orderId) ?? 0,
      stuckReservations: stuck.get(orderId) ?? 0,
      shippedUnpaid: unpaid.get(orderId) ?? 0,
    });
  }
  return orders.sort((a, b) => a.orderId.localeCompare(b.orderId, 'en', { numeric: true }));
}
