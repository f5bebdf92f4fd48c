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
    return this.call('shipping', request, options, () => {
      const earlier = this.earlier<Shipment>(
        'shipping',
        request,
        'SELECT shipment_id AS shipmentId, order_id AS orderId, tracking_number AS trackingNumber, carrier FROM shipments WHERE idem_key = ?',
        'the shipment',
      );
      if (earlier) return earlier;
      // The carrier's rule for the demo: postal code 00000 does not exist.
      if (request.address?.postalCode === '00000') {
        throw new UndeliverableAddressError(`postal code ${request.address.postalCode} does not exist`);
      }
      const shipmentId = derivedId('shp', request.idempotencyKey);
      const trackingNumber = `1Z${digestOf(request.idempotencyKey).toString('hex').slice(0, 10).toUpperCase()}`;
      const carrier = 'Parcel Express';
      this.record('shipments', request, { shipment_id: shipmentId, tracking_number: trackingNumber, carrier });
      return { shipmentId, orderId: request.orderId, trackingNumber, carrier };
    });
  }

  /** Cancels the shipment arranged with `shipmentKey`, if there is one. */
  async cancel(request: CancelShipmentRequest, options: CallOptions = {}): Promise<{ cancelled: boolean }> {
    return this.call('cancelShipment', request, options, () => {
      // Nothing booked yet: cancel the booking anyway, so a booking still on its way is refused.
      const shipment = this.toUndo<{ shipmentId: string }>(
        'shipping',
        request.shipmentKey,
        request,
        'SELECT shipment_id AS shipmentId FROM shipments WHERE idem_key = ?',
      );
      if (!shipment) return { cancelled: false };
      this.ledger.run(
        'INSERT OR IGNORE INTO shipment_cancellations (idem_key, shipment_id, order_id) VALUES (?, ?, ?)',
        request.idempotencyKey,
        shipment.shipmentId,
        request.orderId,
      );
      return { cancelled: true };
    });
  }
}
