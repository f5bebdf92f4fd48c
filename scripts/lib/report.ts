/** Human-readable renderings of the ledger audit, shared by every CLI. */
import path from 'node:path';
import { Audit, formatCents, REPO_ROOT } from '../../services';

/** A path relative to the repository when inside it, so output is the same on every machine. */
export function displayPath(file: string): string {
  const rel = path.relative(REPO_ROOT, file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/** `1 item`, `3 items`. */
export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function formatAudit(audit: Audit, ledgerPath: string): string {
  const lines: string[] = [];
  const orphanOrders = new Set(audit.orphanedCharges.map((c) => c.orderId));
  const stuckUnits = audit.stuckReservations.reduce((sum, r) => sum + r.itemCount, 0);
  const liveShipments = audit.shipments.filter((s) => !s.cancelled).length;
  lines.push(`Ledger audit (${displayPath(ledgerPath)})`);
  lines.push(`  charges:        ${audit.charges.length} (${formatCents(audit.totals.chargedCents)})`);
  lines.push(`  refunds:        ${audit.refunds.length} (${formatCents(audit.totals.refundedCents)})`);
  lines.push(`  reservations:   ${audit.reservations.length}, released ${audit.releases.length}`);
  lines.push(
    `  shipments:      ${liveShipments}${audit.shipments.length > liveShipments ? ` (+${audit.shipments.length - liveShipments} cancelled)` : ''}`,
  );
  lines.push(`  notifications:  ${audit.notifications.length}`);
  const retries = Object.entries(audit.totals.retriesByStep).filter(([, n]) => n > 0);
  lines.push(`  retries:        ${retries.length ? retries.map(([step, n]) => `${step} ${n}`).join(', ') : 'none'}`);
  lines.push(
    `  orphaned charges:   ${audit.orphanedCharges.length} (${formatCents(audit.totals.orphanedCents)} charged without shipment` +
      `${orphanOrders.size ? `: ${[...orphanOrders].join(', ')}` : ''})`,
  );
  lines.push(
    `  stuck reservations: ${audit.stuckReservations.length} (${plural(stuckUnits, 'unit')} locked` +
      `${audit.stuckReservations.length ? `: ${audit.stuckReservations.map((r) => r.orderId).join(', ')}` : ''})`,
  );
  lines.push(
    `  shipped, not paid:  ${audit.shippedUnpaid.length}` +
      `${audit.shippedUnpaid.length ? ` (${audit.shippedUnpaid.map((s) => s.orderId).join(', ')})` : ''}`,
  );
  // Only when there are some: most ledgers never see one, and their audit stays as the docs show it.
  if (audit.emailsForFailedOrders.length) {
    const orders = [...new Set(audit.emailsForFailedOrders.map((n) => n.orderId))];
    lines.push(
      `  emailed, unshipped: ${audit.emailsForFailedOrders.length} ("has shipped" sent, nothing shipped: ${orders.join(', ')})`,
    );
  }
  if (audit.refusedLateCalls.length) {
    const late = audit.refusedLateCalls.map((c) => `${c.step} ${c.key}`);
    lines.push(
      `  refused, late:      ${audit.refusedLateCalls.length} (arrived after their undo, changed nothing: ${late.join(', ')})`,
    );
  }
  return lines.join('\n');
}
