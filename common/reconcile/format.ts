/**
 * `npm run reconcile`'s lines for people: one per order, a summary, the audit after. Pure functions of
 * the result, so the command and anything else that runs a reconcile print the same thing.
 */
import path from 'node:path';
import { formatCents, REPO_ROOT } from '../../services';
import type { AuditCounts, OrderReport, ReconcileResult, SkippedOrder, UndoReport } from './index';

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A path relative to the repository when inside it, so output reads the same on every machine. */
function shownPath(file: string): string {
  const rel = path.relative(REPO_ROOT, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/** `refunded $1,059.97` / `refund $1,059.97` (dry run). */
function effect(undo: UndoReport, dryRun: boolean): string {
  switch (undo.step) {
    case 'payment':
      return `${dryRun ? 'refund' : 'refunded'} ${formatCents(undo.amountCents ?? 0)}`;
    case 'inventory':
      return `${dryRun ? 'release' : 'released'} ${plural(undo.itemCount ?? 0, 'unit')}`;
    case 'shipping':
      return `${dryRun ? 'cancel' : 'cancelled'} shipment${undo.trackingNumber ? ` ${undo.trackingNumber}` : ''}`;
  }
}

const UNDO_NAME = { payment: 'refund', inventory: 'release', shipping: 'cancel shipment' } as const;
const LATE_CALL = { payment: 'charge', inventory: 'reservation', shipping: 'shipment' } as const;

/**
 * One order: `ORDER-107: order-ORDER-107 terminated; refunded $1,059.97, released 3 units`, or, in a
 * dry run, `…; would refund $1,059.97, release 3 units`; a skipped one: `ORDER-110: skipped, order-ORDER-110
 * is running: its own saga undoes what it must`.
 */
export function formatOrder(order: OrderReport | SkippedOrder, options: { dryRun?: boolean } = {}): string {
  if ('reason' in order) return `${order.orderId}: skipped, ${order.reason}`;
  const dryRun = options.dryRun === true || order.undos.every((u) => u.outcome === 'planned');
  const done = order.undos.filter((u) => (dryRun ? u.before === 'live' : u.outcome === 'undone'));
  const failed = order.undos.filter((u) => u.outcome === 'failed');
  const parts: string[] = [];
  if (done.length) parts.push(`${dryRun ? 'would ' : ''}${done.map((u) => effect(u, dryRun)).join(', ')}`);
  for (const u of failed) {
    parts.push(`${UNDO_NAME[u.step]} of ${u.key} FAILED (${u.errorType ?? 'gave up after 5 attempts'}: ${u.error})`);
  }
  if (parts.length === 0) {
    // Nothing had landed: the undo still runs, so that a step that is late is refused when it arrives.
    const absent = order.undos.filter((u) => u.before === 'absent');
    const late = [...new Set(absent.map((u) => LATE_CALL[u.step]))].join(' or ');
    const keys = absent.map((u) => u.key).join(', ');
    parts.push(
      dryRun
        ? `nothing has landed; would undo ${keys} so that a late ${late} is refused`
        : `nothing had landed; a late ${late} under ${keys} is refused`,
    );
  }
  return `${order.orderId}: ${order.ended}; ${parts.join('; ')}`;
}

/** `Reconciled 2 orders: refunded $2,119.94 (2 charges), released 3 units (1 reservation); 1 order skipped.` */
export function formatSummary(result: ReconcileResult): string {
  const t = result.totals;
  const dry = result.dryRun;
  const effects = [
    t.refunds && `${dry ? 'refund' : 'refunded'} ${formatCents(t.refundedCents)} (${plural(t.refunds, 'charge')})`,
    t.releases &&
      `${dry ? 'release' : 'released'} ${plural(t.releasedUnits, 'unit')} (${plural(t.releases, 'reservation')})`,
    t.shipmentsCancelled && `${dry ? 'cancel' : 'cancelled'} ${plural(t.shipmentsCancelled, 'shipment')}`,
  ].filter(Boolean);
  const skipped = result.skipped.length ? `; ${plural(result.skipped.length, 'order')} skipped` : '';
  if (result.orders.length === 0) return `Nothing to reconcile${skipped}.`;
  const what = effects.length ? effects.join(', ') : dry ? 'nothing has landed yet' : 'nothing had landed';
  if (dry) {
    return `Would reconcile ${plural(result.orders.length, 'order')}: ${what}${skipped}. Dry run: nothing was changed.`;
  }
  const failed = t.failed
    ? `; ${plural(t.failed, 'undo')} FAILED: a person must look (run again once it is fixed)`
    : '';
  return `Reconciled ${plural(result.orders.length, 'order')}: ${what}${skipped}${failed}.`;
}

function counts(audit: AuditCounts): string {
  const orphaned = audit.orphanedCharges ? ` (${formatCents(audit.orphanedCents)})` : '';
  const stuck = audit.stuckReservations ? ` (${plural(audit.stuckUnits, 'unit')})` : '';
  return (
    `${plural(audit.orphanedCharges, 'orphaned charge')}${orphaned}, ` +
    `${plural(audit.stuckReservations, 'stuck reservation')}${stuck}, ${audit.shippedUnpaid} shipped but not paid`
  );
}

/** `Audit after: 0 orphaned charges, 0 stuck reservations, 0 shipped but not paid (.data/ledger.sqlite)`. */
export function formatAuditLine(result: ReconcileResult): string {
  return result.dryRun
    ? `Audit now: ${counts(result.auditBefore)} (${shownPath(result.ledger)})`
    : `Audit after: ${counts(result.auditAfter)} (${shownPath(result.ledger)})`;
}

/** The one line when the ledger shows nothing left behind by any order. */
export function formatNothingToDo(result: ReconcileResult): string {
  return `Nothing to reconcile in ${shownPath(result.ledger)}: no orphaned charge, stuck reservation or unpaid shipment, and no call left in flight.`;
}
