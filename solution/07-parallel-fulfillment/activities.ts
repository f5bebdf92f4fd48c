/**
 * Activities: the only place that talks to the outside world (payment gateway, inventory,
 * carrier, mailer). Workflows call them; Temporal retries them according to each call's policy.
 *
 * Three rules make retrying safe and useful:
 *   - every call passes an idempotency key, so a retry after a timeout never charges twice;
 *   - business errors (declined card, out of stock, bad address, invalid order) are thrown as
 *     non-retryable failures, because no number of retries will fix them. Transient errors
 *     (timeouts, outages) are thrown as they are and retried;
 *   - a call in flight heartbeats and hands the activity's cancellation signal to the service
 *     (callService in common/service-call.ts): an attempt that timed out, or an order that was
 *     cancelled, stops waiting at once.
 */
import { callService } from '../../common/service-call';
import type {
  CancelShipmentRequest,
  ChargeRequest,
  ConfirmationRequest,
  Order,
  RefundRequest,
  ReleaseRequest,
  ReserveRequest,
  Services,
  ShipmentRequest,
} from '../../services';

/** Activities close over the services they use, so tests can hand in a fresh ledger and fault plan. */
export function createActivities(services: Services) {
  return {
    async validateOrder(input: { idempotencyKey: string; order: Order }) {
      return callService((options) => services.orderDesk.validate(input, options));
    },

    async chargePayment(input: ChargeRequest) {
      const receipt = await callService((options) => services.payment.charge(input, options));
      return { chargeId: receipt.chargeId, amountCents: receipt.amountCents };
    },

    /** Compensation: refunds whatever was charged under `chargeKey`; a no-op if nothing was. */
    async refundPayment(input: RefundRequest) {
      return callService((options) => services.payment.refund(input, options));
    },

    async reserveInventory(input: ReserveRequest) {
      const reservation = await callService((options) => services.inventory.reserve(input, options));
      return { reservationId: reservation.reservationId, itemCount: reservation.itemCount };
    },

    /** Compensation: puts back whatever was reserved under `reservationKey`; a no-op if nothing was. */
    async releaseInventory(input: ReleaseRequest) {
      return callService((options) => services.inventory.release(input, options));
    },

    async arrangeShipment(input: ShipmentRequest) {
      const shipment = await callService((options) => services.shipping.arrange(input, options));
      return { shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber, carrier: shipment.carrier };
    },

    /** Compensation: cancels whatever shipment was arranged under `shipmentKey`; a no-op if none was. */
    async cancelShipment(input: CancelShipmentRequest) {
      return callService((options) => services.shipping.cancel(input, options));
    },

    async sendConfirmation(input: ConfirmationRequest) {
      const sent = await callService((options) => services.mailer.sendConfirmation(input, options));
      return { notificationId: sent.notificationId };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
