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
import { ApplicationFailure } from '@temporalio/activity';
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
    // TODO Part A: write the five activities that move the original's checkout into Temporal. Each one calls
    //   its service ONCE, through callService((options) => services.….(input, options)), and returns a small
    //   plain object (it travels as JSON); the undos below show the shape:
    //     validateOrder(input)      → services.orderDesk.validate     → { itemCount }
    //     chargePayment(input)      → services.payment.charge         → { chargeId, amountCents }
    //     reserveAtWarehouse(input) → services.inventory.reserve      → { warehouse: input.warehouse, reservationId, itemCount }
    //     arrangeShipment(input)    → services.shipping.arrange       → { shipmentId, trackingNumber, carrier }
    //     sendConfirmation(input)   → services.mailer.sendConfirmation → { notificationId }
    //   No loop (the retry policy retries), no catch (a failure must reach Temporal), nothing sent "meanwhile".
    async validateOrder(_input: { idempotencyKey: string; order: Order }): Promise<{ itemCount: number }> {
      throw ApplicationFailure.nonRetryable('TODO Part A: validateOrder is not written yet', 'NotImplemented');
    },
    async chargePayment(_input: ChargeRequest): Promise<{ chargeId: string; amountCents: number }> {
      throw ApplicationFailure.nonRetryable('TODO Part A: chargePayment is not written yet', 'NotImplemented');
    },
    async reserveAtWarehouse(
      _input: WarehouseReserveRequest,
    ): Promise<{ warehouse: Warehouse; reservationId: string; itemCount: number }> {
      throw ApplicationFailure.nonRetryable('TODO Part A: reserveAtWarehouse is not written yet', 'NotImplemented');
    },
    async arrangeShipment(
      _input: ShipmentRequest,
    ): Promise<{ shipmentId: string; trackingNumber: string; carrier: string }> {
      throw ApplicationFailure.nonRetryable('TODO Part A: arrangeShipment is not written yet', 'NotImplemented');
    },
    async sendConfirmation(_input: ConfirmationRequest): Promise<{ notificationId: string }> {
      throw ApplicationFailure.nonRetryable('TODO Part A: sendConfirmation is not written yet', 'NotImplemented');
    },
    // END TODO Part A

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
