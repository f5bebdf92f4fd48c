/** The shipping carrier: books a shipment with a tracking number, and cancels it when the order is undone. */
import { UndeliverableAddressError } from './errors';
import { Address } from './orders';
import { CallOptions, Service } from './service';
import { derivedId, digestOf } from './stable-ids';

export interface ShipmentRequest {
  idempotencyKey: string;
  orderId: string;
  address: Address;
  itemCount: number;
}

export interface Shipment {
  shipmentId: string;
  orderId: string;
  trackingNumber: string;
  carrier: string;
}

export interface CancelShipmentRequest {
  idempotencyKey: string;
  orderId: string;
  /** The idempotency key the shipment was arranged with. */
  shipmentKey: string;
}

export class ShippingCarrier extends Service {
  async arrange(request: ShipmentRequest, options: CallOptions = {}): Promise<Shipment> {
    return this.call(
      'shipping',
      request.idempotencyKey,
      request.orderId,
      () => {
        const existing = this.ledger.get<Shipment>(
          'SELECT shipment_id AS shipmentId, order_id AS orderId, tracking_number AS trackingNumber, carrier FROM shipments WHERE idem_key = ?',
          request.idempotencyKey,
        );
        if (existing) return existing;
        this.refuseIfFenced('shipping', request.idempotencyKey, 'the shipment');
        // The carrier's rule for the demo: postal code 00000 does not exist.
        if (request.address?.postalCode === '00000') {
          throw new UndeliverableAddressError(`postal code ${request.address.postalCode} does not exist`);
        }
        const shipmentId = derivedId('shp', request.idempotencyKey);
        const trackingNumber = `1Z${digestOf(request.idempotencyKey).toString('hex').slice(0, 10).toUpperCase()}`;
        const carrier = 'Parcel Express';
        this.ledger.run(
          'INSERT INTO shipments (shipment_id, idem_key, order_id, tracking_number, carrier) VALUES (?, ?, ?, ?, ?)',
          shipmentId,
          request.idempotencyKey,
          request.orderId,
          trackingNumber,
          carrier,
        );
        return { shipmentId, orderId: request.orderId, trackingNumber, carrier };
      },
      options.signal,
    );
  }

  /** Cancels the shipment arranged with `shipmentKey`, if there is one. */
  async cancel(request: CancelShipmentRequest, options: CallOptions = {}): Promise<{ cancelled: boolean }> {
    return this.call(
      'cancelShipment',
      request.idempotencyKey,
      request.orderId,
      () => {
        const shipment = this.ledger.get<{ shipmentId: string }>(
          'SELECT shipment_id AS shipmentId FROM shipments WHERE idem_key = ?',
          request.shipmentKey,
        );
        if (!shipment) {
          // Nothing booked yet: cancel the booking anyway, so a booking still on its way is refused.
          this.fence('shipping', request.shipmentKey, request.idempotencyKey, request.orderId);
          return { cancelled: false };
        }
        this.ledger.run(
          'INSERT OR IGNORE INTO shipment_cancellations (idem_key, shipment_id, order_id) VALUES (?, ?, ?)',
          request.idempotencyKey,
          shipment.shipmentId,
          request.orderId,
        );
        return { cancelled: true };
      },
      options.signal,
    );
  }
}
