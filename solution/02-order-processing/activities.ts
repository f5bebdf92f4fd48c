/**
 * Activities: the only code in lesson 02 that talks to the outside world (order desk, payment
 * gateway, inventory, carrier). The workflow calls them; Temporal retries them according to the
 * workflow's retry policy, so none of them has a retry loop of its own: one call to the service per
 * attempt, and every attempt is visible in the workflow's event history.
 *
 * Two rules make that retrying safe and useful:
 *   - every call passes an idempotency key, so a retry after a timeout never charges twice;
 *   - business errors (declined card, out of stock, bad address, invalid order) are thrown as
 *     non-retryable failures, because no number of retries will fix them. Transient errors
 *     (timeouts, outages) are thrown as they are, and the retry policy decides what happens next.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { isBusinessError } from '../../common/failures';
import type { ChargeRequest, Order, ReserveRequest, Services, ShipmentRequest } from '../../services';

/** Runs one service call, turning business errors into non-retryable failures. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isBusinessError(err)) {
      throw ApplicationFailure.nonRetryable(err.message, err.code);
    }
    throw err; // transient: the retry policy decides
  }
}

/** Activities close over the services they use, so tests can hand in a fresh ledger and fault plan. */
export function createActivities(services: Services) {
  return {
    async validateOrder(input: { idempotencyKey: string; order: Order }) {
      const validated = await call(() => services.orderDesk.validate(input));
      return { itemCount: validated.itemCount };
    },

    async chargePayment(input: ChargeRequest) {
      const receipt = await call(() => services.payment.charge(input));
      return { chargeId: receipt.chargeId, amountCents: receipt.amountCents };
    },

    async reserveInventory(input: ReserveRequest) {
      const reservation = await call(() => services.inventory.reserve(input));
      return { reservationId: reservation.reservationId, itemCount: reservation.itemCount };
    },

    async arrangeShipment(input: ShipmentRequest) {
      const shipment = await call(() => services.shipping.arrange(input));
      return { shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber, carrier: shipment.carrier };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
