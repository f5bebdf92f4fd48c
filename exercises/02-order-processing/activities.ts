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
    // TODO Part D: a business error (isBusinessError(err): the service says retryable === false) can never
    //   succeed on retry. Throw ApplicationFailure.nonRetryable(err.message, err.code) for it, so Temporal
    //   stops at once and the failure carries a type such as CardDeclined. Rethrow anything else as it is:
    //   a timeout or an outage is worth another attempt, and the retry policy decides how many.
    throw err;
    // END TODO Part D
  }
}

/** Activities close over the services they use, so tests can hand in a fresh ledger and fault plan. */
export function createActivities(services: Services) {
  return {
    // TODO Part A: write the four activities. Each one calls its service ONCE, through call(() => …) so
    //   business errors are handled (Part D), and returns a small plain object (it travels as JSON):
    //     validateOrder(input)    → services.orderDesk.validate(input)   → { itemCount }
    //     chargePayment(input)    → services.payment.charge(input)       → { chargeId, amountCents }
    //     reserveInventory(input) → services.inventory.reserve(input)    → { reservationId, itemCount }
    //     arrangeShipment(input)  → services.shipping.arrange(input)     → { shipmentId, trackingNumber, carrier }
    //   No retry loop, no sleep: the workflow's retry policy retries a failed activity, and every
    //   attempt then shows up in the event history.
    async validateOrder(_input: { idempotencyKey: string; order: Order }): Promise<{ itemCount: number }> {
      throw ApplicationFailure.nonRetryable('TODO Part A: validateOrder is not written yet', 'NotImplemented');
    },
    async chargePayment(_input: ChargeRequest): Promise<{ chargeId: string; amountCents: number }> {
      throw ApplicationFailure.nonRetryable('TODO Part A: chargePayment is not written yet', 'NotImplemented');
    },
    async reserveInventory(_input: ReserveRequest): Promise<{ reservationId: string; itemCount: number }> {
      throw ApplicationFailure.nonRetryable('TODO Part A: reserveInventory is not written yet', 'NotImplemented');
    },
    async arrangeShipment(
      _input: ShipmentRequest,
    ): Promise<{ shipmentId: string; trackingNumber: string; carrier: string }> {
      throw ApplicationFailure.nonRetryable('TODO Part A: arrangeShipment is not written yet', 'NotImplemented');
    },
    // END TODO Part A
  };
}

export type Activities = ReturnType<typeof createActivities>;
