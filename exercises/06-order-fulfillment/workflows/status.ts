/**
 * The `status` query every workflow answers, and the small helpers the children share.
 */
import { defineQuery, isCancellation, setHandler, workflowInfo } from '@temporalio/workflow';
import type { ChildStatus, OrderStatus } from '../shared';

/** Same query name on every workflow, so any of them can be asked "where are you?". */
export const orderStatusQuery = defineQuery<OrderStatus>('status');
export const childStatusQuery = defineQuery<ChildStatus>('status');

/**
 * The deepest message in a failure's `.cause` chain. Temporal wraps errors on the way up
 * (ChildWorkflowFailure → ActivityFailure → ApplicationFailure): the top message says *where*,
 * the bottom one says *what*.
 */
export function rootCauseMessage(err: unknown): string {
  let current: unknown = err;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/**
 * Runs a child's work while keeping its `status` query up to date: RUNNING, then COMPLETED with
 * a short description of the result, or FAILED / CANCELLED with the reason.
 */
export async function runTracked<T>(
  orderId: string,
  work: (idempotencyKey: string) => Promise<T>,
  describe: (result: T) => string,
): Promise<T> {
  // The child's own workflow ID is its idempotency key: a retried or re-run child reuses it.
  const status: ChildStatus = { workflowId: workflowInfo().workflowId, orderId, state: 'RUNNING' };
  // TODO Part D: answer the `status` query with this child's status object, so anyone can ask the child
  //   directly where it is: setHandler(childStatusQuery, () => status)
  // END TODO Part D
  try {
    const result = await work(status.workflowId);
    status.state = 'COMPLETED';
    status.detail = describe(result);
    return result;
  } catch (err) {
    status.state = isCancellation(err) ? 'CANCELLED' : 'FAILED';
    status.detail = rootCauseMessage(err);
    throw err;
  }
}
