/**
 * Activities: the only code in lesson 03 that talks to the outside world. Each one is one call to one
 * service, nothing more: no loop (the workflow's retry policy retries), no catch (a failure must reach
 * Temporal, or it cannot retry it, and the saga cannot know the step failed), no email sent "while we
 * wait". The original's checkout did all three inside its steps.
 *
 * Every call goes through callService (common/service-call.ts): it turns business errors (a declined
 * card, no stock) into non-retryable failures, heartbeats while the call is in flight, and stops
 * waiting when the attempt is over for Temporal.
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
  Warehouse,
} from '../../services';

/** A reservation at one warehouse: the lines it holds, under that warehouse's own key. */
export type WarehouseReserveRequest = ReserveRequest & { warehouse: Warehouse };
export type WarehouseReleaseRequest = ReleaseRequest & { warehouse: Warehouse };

/** Activities close over the services they use, so tests can hand in a fresh ledger and fault plan. */
export function createActivities(services: Services) {
  return {
    async validateOrder(input: { idempotencyKey: string; order: Order }) {
      const validated = await callService((options) => services.orderDesk.validate(input, options));
      return { itemCount: validated.itemCount };
    },

    async chargePayment(input: ChargeRequest) {
      const receipt = await callService((options) => services.payment.charge(input, options));
      return { chargeId: receipt.chargeId, amountCents: receipt.amountCents };
    },

    async reserveAtWarehouse(input: WarehouseReserveRequest) {
      const reservation = await callService((options) => services.inventory.reserve(input, options));
      return { warehouse: input.warehouse, reservationId: reservation.reservationId, itemCount: reservation.itemCount };
    },

    async arrangeShipment(input: ShipmentRequest) {
      const shipment = await callService((options) => services.shipping.arrange(input, options));
      return { shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber, carrier: shipment.carrier };
    },

    async sendConfirmation(input: ConfirmationRequest) {
      const sent = await callService((options) => services.mailer.sendConfirmation(input, options));
      return { notificationId: sent.notificationId };
    },

    // ---- the undos (the saga runs them when a later step fails) ----------------------------------
    // Each is idempotent (its own key) and safe when its step never landed: it then answers "nothing to
    // undo" and fences the step's key, so a step still on its way is refused when it arrives.

    async refundPayment(input: RefundRequest) {
      const receipt = await callService((options) => services.payment.refund(input, options));
      return { refunded: receipt.refunded, amountCents: receipt.amountCents };
    },

    async releaseAtWarehouse(input: WarehouseReleaseRequest) {
      const receipt = await callService((options) => services.inventory.release(input, options));
      return { released: receipt.released, itemCount: receipt.itemCount };
    },

    async cancelShipment(input: CancelShipmentRequest) {
      return callService((options) => services.shipping.cancel(input, options));
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
