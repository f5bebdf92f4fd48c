/**
 * Activities: the only code in lesson 08 that talks to the outside world (order desk, fraud screen,
 * payment gateway, inventory, carrier). Every build of the workflow calls them; what changes from one
 * build to the next is which of them it calls, and in which order.
 *
 * Each passes its cancellation signal to the service, so a worker stopped with Ctrl-C (a deploy) lets
 * go of a slow call at once; the server then hands the attempt to the next worker.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import { isBusinessError } from '../../common/failures';
import type {
  ChargeRequest,
  FraudCheckRequest,
  Order,
  ReserveRequest,
  Services,
  ShipmentRequest,
} from '../../services';

/** Runs one service call, turning business errors into non-retryable failures. */
async function call<T>(fn: (options: { signal: AbortSignal }) => Promise<T>): Promise<T> {
  try {
    return await fn({ signal: Context.current().cancellationSignal });
  } catch (err) {
    if (isBusinessError(err)) throw ApplicationFailure.nonRetryable(err.message, err.code);
    throw err; // transient: the retry policy decides
  }
}

/** Activities close over the services they use, so tests can hand in a fresh ledger and fault plan. */
export function createActivities(services: Services) {
  return {
    async validateOrder(input: { idempotencyKey: string; order: Order }) {
      const validated = await call((options) => services.orderDesk.validate(input, options));
      return { itemCount: validated.itemCount };
    },

    async checkFraud(input: FraudCheckRequest) {
      const verdict = await call((options) => services.fraud.check(input, options));
      return { riskScore: verdict.riskScore };
    },

    async chargePayment(input: ChargeRequest) {
      const receipt = await call((options) => services.payment.charge(input, options));
      return { chargeId: receipt.chargeId, amountCents: receipt.amountCents };
    },

    async reserveInventory(input: ReserveRequest) {
      const reservation = await call((options) => services.inventory.reserve(input, options));
      return { reservationId: reservation.reservationId, itemCount: reservation.itemCount };
    },

    async arrangeShipment(input: ShipmentRequest) {
      const shipment = await call((options) => services.shipping.arrange(input, options));
      return { shipmentId: shipment.shipmentId, trackingNumber: shipment.trackingNumber, carrier: shipment.carrier };
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
