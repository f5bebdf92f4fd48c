/**
 * The audit: what the ledger holds, row by row, and what it adds up to (charges nobody shipped for,
 * stock locked for nobody, goods given away, emails for failed orders, what retries cost).
 * `npm run ledger` prints it; the tests and the grader judge a run by it.
 */
import type { Ledger } from './ledger';

/** The outcome of a call that arrived after its undo had fenced its key (see FenceRow). */
export const REFUSED_LATE = 'refused-late';

export interface ChargeRow {
  chargeId: string;
  key: string;
  orderId: string;
  amountCents: number;
}
export interface RefundRow {
  refundId: string;
  key: string;
  chargeId: string;
  orderId: string;
  amountCents: number;
}
export interface ReservationRow {
  reservationId: string;
  key: string;
  orderId: string;
  items: { sku: string; quantity: number }[];
  itemCount: number;
}
export interface ReleaseRow {
  key: string;
  reservationId: string;
  orderId: string;
}
export interface ShipmentRow {
  shipmentId: string;
  key: string;
  orderId: string;
  trackingNumber: string;
  carrier: string;
  cancelled: boolean;
}
export interface NotificationRow {
  notificationId: string;
  key: string;
  orderId: string;
  email: string;
  subject: string;
}
/**
 * An undo that ran before its step had landed: the step's key is fenced, so the step, arriving late,
 * is refused (a cancelled payment intent cannot be captured, a released hold cannot be taken).
 */
export interface FenceRow {
  /** The forward step whose key is fenced: payment, inventory or shipping. */
  step: string;
  key: string;
  /** The idempotency key of the undo that fenced it. */
  undoKey: string;
  orderId: string;
}
export interface CallRow {
  step: string;
  key: string;
  orderId: string;
  attempt: number;
  outcome: string;
  detail: string | null;
}

export interface Audit {
  charges: ChargeRow[];
  refunds: RefundRow[];
  reservations: ReservationRow[];
  releases: ReleaseRow[];
  shipments: ShipmentRow[];
  notifications: NotificationRow[];
  fences: FenceRow[];
  /** Forward calls that arrived after their undo had fenced their key, and were refused. */
  refusedLateCalls: CallRow[];
  /** Charged, not refunded, and nothing shipped for that order: the customer paid for nothing. */
  orphanedCharges: ChargeRow[];
  /** Reserved, not released, and nothing shipped for that order: stock locked for nobody. */
  stuckReservations: ReservationRow[];
  /** Shipped (not cancelled) for an order with no live charge: goods given away. */
  shippedUnpaid: ShipmentRow[];
  /**
   * Confirmation emails ("your order has shipped") for an order with no live shipment: the customer was
   * told about an order that failed. Code that emails before the order is done sends them.
   */
  emailsForFailedOrders: NotificationRow[];
  totals: {
    chargedCents: number;
    refundedCents: number;
    orphanedCents: number;
    /** Calls beyond the first, per step: what retries cost. */
    retriesByStep: Record<string, number>;
    callsByStep: Record<string, number>;
  };
}

/** Reads the whole audit from the ledger (Ledger.audit()). */
export function readAudit(ledger: Ledger): Audit {
  const all = <T>(sql: string) => ledger.all<T>(sql);
  const charges = all<ChargeRow>(
    'SELECT charge_id AS chargeId, idem_key AS key, order_id AS orderId, amount_cents AS amountCents FROM charges ORDER BY seq',
  );
  const refunds = all<RefundRow>(
    'SELECT refund_id AS refundId, idem_key AS key, charge_id AS chargeId, order_id AS orderId, amount_cents AS amountCents FROM refunds ORDER BY seq',
  );
  const reservations = all<{
    reservationId: string;
    key: string;
    orderId: string;
    itemsJson: string;
    itemCount: number;
  }>(
    'SELECT reservation_id AS reservationId, idem_key AS key, order_id AS orderId, items_json AS itemsJson, item_count AS itemCount FROM reservations ORDER BY seq',
  ).map(({ itemsJson, ...rest }) => ({ ...rest, items: JSON.parse(itemsJson) as ReservationRow['items'] }));
  const releases = all<ReleaseRow>(
    'SELECT idem_key AS key, reservation_id AS reservationId, order_id AS orderId FROM releases ORDER BY seq',
  );
  const shipments = all<Omit<ShipmentRow, 'cancelled'> & { cancelled: number }>(
    `SELECT s.shipment_id AS shipmentId, s.idem_key AS key, s.order_id AS orderId, s.tracking_number AS trackingNumber,
            s.carrier AS carrier, (c.shipment_id IS NOT NULL) AS cancelled
     FROM shipments s LEFT JOIN shipment_cancellations c ON c.shipment_id = s.shipment_id ORDER BY s.seq`,
  ).map((row) => ({ ...row, cancelled: row.cancelled === 1 }));
  const notifications = all<NotificationRow>(
    'SELECT notification_id AS notificationId, idem_key AS key, order_id AS orderId, email, subject FROM notifications ORDER BY seq',
  );
  const fences = all<FenceRow>(
    'SELECT step, idem_key AS key, undo_key AS undoKey, order_id AS orderId FROM fences ORDER BY seq',
  );
  const refusedLateCalls = all<CallRow>(
    `SELECT step, idem_key AS key, order_id AS orderId, attempt, outcome, detail FROM calls
     WHERE outcome = '${REFUSED_LATE}' ORDER BY id`,
  );

  const refundedCharges = new Set(refunds.map((r) => r.chargeId));
  const releasedReservations = new Set(releases.map((r) => r.reservationId));
  const shippedOrders = new Set(shipments.filter((s) => !s.cancelled).map((s) => s.orderId));
  const orphanedCharges = charges.filter((c) => !refundedCharges.has(c.chargeId) && !shippedOrders.has(c.orderId));
  const stuckReservations = reservations.filter(
    (r) => !releasedReservations.has(r.reservationId) && !shippedOrders.has(r.orderId),
  );
  const paidOrders = new Set(charges.filter((c) => !refundedCharges.has(c.chargeId)).map((c) => c.orderId));
  const shippedUnpaid = shipments.filter((s) => !s.cancelled && !paidOrders.has(s.orderId));
  const emailsForFailedOrders = notifications.filter((n) => !shippedOrders.has(n.orderId));

  const callsByStep: Record<string, number> = {};
  const retriesByStep: Record<string, number> = {};
  for (const row of all<{ step: string; calls: number; keys: number }>(
    'SELECT step, COUNT(*) AS calls, COUNT(DISTINCT idem_key) AS keys FROM calls GROUP BY step ORDER BY step',
  )) {
    callsByStep[row.step] = row.calls;
    retriesByStep[row.step] = row.calls - row.keys;
  }
  const sum = (rows: { amountCents: number }[]) => rows.reduce((s, r) => s + r.amountCents, 0);
  return {
    charges,
    refunds,
    reservations,
    releases,
    shipments,
    notifications,
    fences,
    refusedLateCalls,
    orphanedCharges,
    stuckReservations,
    shippedUnpaid,
    emailsForFailedOrders,
    totals: {
      chargedCents: sum(charges),
      refundedCents: sum(refunds),
      orphanedCents: sum(orphanedCharges),
      retriesByStep,
      callsByStep,
    },
  };
}
