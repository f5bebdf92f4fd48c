/** The inventory system: reserves stock for an order, and puts it back when the order is undone. */
import { OutOfStockError, ValidationError } from './errors';
import { findCatalogEntry, LineItem } from './orders';
import { CallOptions, Service } from './service';
import { derivedId } from './stable-ids';

export interface ReserveRequest {
  idempotencyKey: string;
  orderId: string;
  items: Pick<LineItem, 'sku' | 'quantity'>[];
  /**
   * The warehouse the reservation is made at (services/warehouses.ts), when the caller reserves per
   * warehouse: faults and latency are then drawn for `inventory.<warehouse>`. Without it, as before.
   */
  warehouse?: string;
}

export interface Reservation {
  reservationId: string;
  orderId: string;
  itemCount: number;
}

export interface ReleaseRequest {
  idempotencyKey: string;
  orderId: string;
  /** The idempotency key the reservation was made with. */
  reservationKey: string;
  /** The warehouse of that reservation, when it was made at one: faults are drawn for `release.<warehouse>`. */
  warehouse?: string;
}

export interface ReleaseReceipt {
  /** False when there was nothing to release (the reservation never happened). */
  released: boolean;
  itemCount: number;
}

export class Inventory extends Service {
  async reserve(request: ReserveRequest, options: CallOptions = {}): Promise<Reservation> {
    return this.call('inventory', request, { ...options, branch: request.warehouse }, () => {
      const earlier = this.earlier<Reservation>(
        'inventory',
        request,
        `SELECT v.reservation_id AS reservationId, v.order_id AS orderId, v.item_count AS itemCount,
                (r.reservation_id IS NOT NULL) AS undone
         FROM reservations v LEFT JOIN releases r ON r.reservation_id = v.reservation_id WHERE v.idem_key = ?`,
        'the reservation',
      );
      if (earlier) return earlier;
      // Two lines of the same SKU draw on the same shelf: check the total per SKU.
      const wanted = new Map<string, number>();
      for (const item of request.items) {
        if (!findCatalogEntry(item.sku)) throw new ValidationError('items.sku', `is not a known SKU (${item.sku})`);
        if (!Number.isInteger(item.quantity) || item.quantity <= 0) {
          throw new ValidationError('items.quantity', `must be a whole number above 0 (got ${item.quantity})`);
        }
        wanted.set(item.sku, (wanted.get(item.sku) ?? 0) + item.quantity);
      }
      for (const [sku, quantity] of wanted) {
        const available = this.ledger.stockOf(sku);
        if (available < quantity) throw new OutOfStockError(sku, quantity, available);
      }
      for (const [sku, quantity] of wanted) {
        this.ledger.run('UPDATE stock SET on_hand = on_hand - ? WHERE sku = ?', quantity, sku);
      }
      const reservationId = derivedId('rsv', request.idempotencyKey);
      const count = request.items.reduce((sum, item) => sum + item.quantity, 0);
      const items = JSON.stringify(request.items.map(({ sku, quantity }) => ({ sku, quantity })));
      this.record('reservations', request, { reservation_id: reservationId, items_json: items, item_count: count });
      return { reservationId, orderId: request.orderId, itemCount: count };
    });
  }

  /** Puts the stock of the reservation made with `reservationKey` back, if there is one. */
  async release(request: ReleaseRequest, options: CallOptions = {}): Promise<ReleaseReceipt> {
    return this.call('release', request, { ...options, branch: request.warehouse }, () => {
      // Nothing reserved yet: release the hold anyway, so a reservation still on its way is refused.
      const reservation = this.toUndo<{ reservationId: string; itemsJson: string; itemCount: number }>(
        'inventory',
        request.reservationKey,
        request,
        'SELECT reservation_id AS reservationId, items_json AS itemsJson, item_count AS itemCount FROM reservations WHERE idem_key = ?',
      );
      if (!reservation) return { released: false, itemCount: 0 };
      const already = this.ledger.get('SELECT 1 FROM releases WHERE reservation_id = ?', reservation.reservationId);
      if (already) return { released: true, itemCount: reservation.itemCount };
      for (const item of JSON.parse(reservation.itemsJson) as { sku: string; quantity: number }[]) {
        this.ledger.run('UPDATE stock SET on_hand = on_hand + ? WHERE sku = ?', item.quantity, item.sku);
      }
      this.record('releases', request, { reservation_id: reservation.reservationId });
      return { released: true, itemCount: reservation.itemCount };
    });
  }
}
