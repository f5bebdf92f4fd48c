/**
 * Activities: the only place that talks to the outside world (payment gateway, inventory,
 * carrier, mailer). Workflows call them; Temporal retries them according to each call's policy.
 *
 * Two rules make retrying safe and useful:
 *   - every call passes an idempotency key, so a retry after a timeout never charges twice;
 *   - business errors (declined card, out of stock, bad address, invalid order) are thrown as
 *     non-retryable failures, because no number of retries will fix them. Transient errors
 *     (timeouts, outages) are thrown as they are and retried.
 */
import { callService } from '../../common/failures';
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
      return callService(() => services.orderDesk.validate(input));
    },

    async chargePayment(input: ChargeRequest) {
      const receipt = await callService(() => services.payment.charge(input));
      return { chargeId: receipt.chargeId, amountCents: receipt.amountCents };
    },

    /** Compensation: refunds whatever was charged under `chargeKey`; a no-op if nothing was. */
    async refundPayment(input: RefundRequest) {
      return callService(() => services.payment.refund(input));
    },

    async reserveInventory(input: ReserveRequest) {
      const reservation = await callService(() => services.inventory.reserve(input));
      return { reservationId: reservation.reservationId, itemCount: reservation.itemCount };
    },

    /** Compensation: puts back whatever was reserved under `reservationKey`; a no-op if nothing was. */
    async releaseInventory(input: ReleaseRequest) {
      return callService(() => services.inventory.release(input));
    },

    async arrangeShipment(input: ShipmentRequest) {
      const shipment = await callService(() => services.shipping.arrange(input));
      return { shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber, carrier: shipment.carrier };
    },

    /** Compensation: cancels whatever shipment was arranged under `shipmentKey`; a no-op if none was. */
    async cancelShipment(input: CancelShipmentRequest) {
      return callService(() => services.shipping.cancel(input));
    },

    async sendConfirmation(input: ConfirmationRequest) {
      const sent = await callService(() => services.mailer.sendConfirmation(input));
      return { notificationId: sent.notificationId };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
