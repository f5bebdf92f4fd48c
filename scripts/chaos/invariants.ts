/**
 * What must hold after any run of any case, read from the ledger's audit and from how each order's
 * workflow ended: nothing lost, nothing free, nothing done twice, every order ended as expected.
 */
import { orderWorkflowId } from '../../common/lessons';
import type { Audit, Order } from '../../services';
import type { CaseSpec } from './case';

/** The audit restricted to some orders (a case's ledger holds every run's). */
export function auditOf(audit: Audit, orderIds: Set<string>): Audit {
  const mine = <T extends { orderId: string }>(rows: T[]) => rows.filter((r) => orderIds.has(r.orderId));
  return {
    ...audit,
    charges: mine(audit.charges),
    refunds: mine(audit.refunds),
    reservations: mine(audit.reservations),
    releases: mine(audit.releases),
    shipments: mine(audit.shipments),
    notifications: mine(audit.notifications),
    orphanedCharges: mine(audit.orphanedCharges),
    stuckReservations: mine(audit.stuckReservations),
    shippedUnpaid: mine(audit.shippedUnpaid),
    fences: mine(audit.fences),
    refusedLateCalls: mine(audit.refusedLateCalls),
  };
}

/**
 * Every order ended as expected, and the ledger agrees with how it ended: a completed order is paid
 * once, reserved and shipped; a failed one keeps nothing.
 */
export function invariants(spec: CaseSpec, orders: Order[], statuses: Map<string, string>, audit: Audit): string[] {
  const problems: string[] = [];
  // A failed order keeps nothing; once reconciled, neither does one that was terminated or forgotten.
  const endsWithNothing = spec.reconcile ? ['FAILED', 'TERMINATED', 'FORGOTTEN'] : ['FAILED'];
  const byStatus = new Map<string, number>();
  for (const order of orders) {
    const status = statuses.get(orderWorkflowId(spec.lesson, order.orderId)) ?? 'NOT FOUND';
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const charges = audit.charges.filter((c) => c.orderId === order.orderId);
    const refunded = new Set(audit.refunds.map((r) => r.chargeId));
    const liveCharges = charges.filter((c) => !refunded.has(c.chargeId)).length;
    const released = new Set(audit.releases.map((r) => r.reservationId));
    const liveReservations = audit.reservations.filter(
      (r) => r.orderId === order.orderId && !released.has(r.reservationId),
    ).length;
    const liveShipments = audit.shipments.filter((s) => s.orderId === order.orderId && !s.cancelled).length;
    const got = `${liveCharges} live charge(s), ${liveReservations} live reservation(s), ${liveShipments} live shipment(s)`;
    if (charges.length > 1) problems.push(`${order.orderId}: charged ${charges.length} times`);
    // One reservation per order, or one per warehouse it draws on (lesson 03): all of them stand.
    const reservations = audit.reservations.filter((r) => r.orderId === order.orderId).length;
    const wholeStock = liveReservations >= 1 && liveReservations === reservations;
    if (status === 'COMPLETED' && (liveCharges !== 1 || !wholeStock || liveShipments !== 1)) {
      problems.push(`${order.orderId} completed with ${got}`);
    }
    if (endsWithNothing.includes(status) && liveCharges + liveReservations + liveShipments > 0) {
      problems.push(`${order.orderId} ended ${status} with ${got}`);
    }
  }
  const ended = [...byStatus]
    .filter(([s]) => s === 'COMPLETED' || endsWithNothing.includes(s))
    .reduce((n, [, c]) => n + c, 0);
  if (ended !== orders.length) {
    const others = [...byStatus].filter(([s]) => s !== 'COMPLETED' && !endsWithNothing.includes(s));
    problems.push(`${orders.length - ended} orders did not end: ${others.map(([s, n]) => `${n} ${s}`).join(', ')}`);
  }
  if (spec.expected !== 'ANY' && (byStatus.get(spec.expected) ?? 0) !== orders.length) {
    problems.push(
      `expected every order ${spec.expected}, got ${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')}`,
    );
  }
  if (audit.orphanedCharges.length) problems.push(`${audit.orphanedCharges.length} orphaned charges`);
  if (audit.stuckReservations.length) problems.push(`${audit.stuckReservations.length} stuck reservations`);
  if (audit.shippedUnpaid.length) problems.push(`${audit.shippedUnpaid.length} shipped but not paid`);
  return problems;
}
