/**
 * `reconcileOrderWorkflow`: undoes what one order left behind when Temporal no longer runs it
 * (terminated, or forgotten by the server). It runs the order's undos newest first: cancel the shipment,
 * release the stock, refund the charge. Each is retried with backoff, a few times; one that fails (a
 * disputed charge, or a service down for longer than the retries) is reported and the others still run.
 *
 * Workflow code: deterministic, no Node modules, activities through proxyActivities.
 */
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { ReconcileActivities } from './activities';
import type { ForwardStep, ReconcileInput, ReconcileOutput, UndoReceipt, UndoResult } from './shared';

const activities = proxyActivities<ReconcileActivities>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    // 0.5 + 1 + 2 + 4 s of backoff: a service that is down for longer is reported, and the next run tries again.
    maximumAttempts: 5,
  },
});

const UNDO: Record<
  ForwardStep,
  (input: { idempotencyKey: string; orderId: string; key: string }) => Promise<UndoReceipt>
> = {
  payment: activities.refundPayment,
  inventory: activities.releaseInventory,
  shipping: activities.cancelShipment,
};

/** The deepest message of a failure's `.cause` chain: what failed, not where. */
function rootCause(err: unknown): { message: string; type?: string } {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const message = current instanceof Error ? current.message : String(current);
  if (current instanceof ApplicationFailure && current.nonRetryable && current.type) {
    return { message, type: current.type };
  }
  return { message };
}

export async function reconcileOrderWorkflow(input: ReconcileInput): Promise<ReconcileOutput> {
  const undos: UndoResult[] = [];
  for (const undo of input.undos) {
    try {
      const receipt = await UNDO[undo.step]({ idempotencyKey: undo.undoKey, orderId: input.orderId, key: undo.key });
      undos.push({
        ...undo,
        outcome: receipt.undone ? 'undone' : 'nothing',
        ...(receipt.amountCents ? { amountCents: receipt.amountCents } : {}),
        ...(receipt.itemCount ? { itemCount: receipt.itemCount } : {}),
      });
    } catch (err) {
      // A failed undo does not stop the others: it is reported, and the next run tries it again.
      if (!(err instanceof ActivityFailure)) throw err;
      const { message, type } = rootCause(err);
      undos.push({ ...undo, outcome: 'failed', error: message, ...(type ? { errorType: type } : {}) });
    }
  }
  return { orderId: input.orderId, undos };
}
