/**
 * The undo activities of `npm run reconcile`: each calls one service with the original step's key.
 * The services are idempotent by key (a second refund of a charge returns the first), and an undo that
 * finds nothing to undo makes the service refuse the step if it still arrives.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Services } from '../../services';
import { isBusinessError } from '../failures';
import type { UndoReceipt } from './shared';

/** A business error (a disputed charge) is final: non-retryable, typed with its code. Others are retried. */
async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isBusinessError(err)) throw ApplicationFailure.nonRetryable(err.message, err.code);
    throw err;
  }
}

interface UndoInput {
  idempotencyKey: string;
  orderId: string;
  /** The forward step's key. */
  key: string;
}

export function createReconcileActivities(services: Services) {
  return {
    async refundPayment({ key, ...undo }: UndoInput): Promise<UndoReceipt> {
      const receipt = await call(() => services.payment.refund({ ...undo, chargeKey: key }));
      return { undone: receipt.refunded, amountCents: receipt.amountCents };
    },

    async releaseInventory({ key, ...undo }: UndoInput): Promise<UndoReceipt> {
      const receipt = await call(() => services.inventory.release({ ...undo, reservationKey: key }));
      return { undone: receipt.released, itemCount: receipt.itemCount };
    },

    async cancelShipment({ key, ...undo }: UndoInput): Promise<UndoReceipt> {
      const receipt = await call(() => services.shipping.cancel({ ...undo, shipmentKey: key }));
      return { undone: receipt.cancelled };
    },
  };
}

export type ReconcileActivities = ReturnType<typeof createReconcileActivities>;
