/**
 * What the four children share: each does one job through one activity and keeps its own `status`
 * query up to date while it does.
 */
import { setHandler, workflowInfo } from '@temporalio/workflow';
import { isBusinessFailure, rootCauseMessage } from '../../../common/failures';
import type { ChildStatus } from '../shared';
import { cancellationOf } from './progress';
import { childStatusQuery } from './queries';

/**
 * Runs a child's work while answering its `status` query: RUNNING, then COMPLETED with a short
 * description of the result, or FAILED / CANCELLED with the reason.
 */
export async function runTracked<T>(
  orderId: string,
  work: (idempotencyKey: string) => Promise<T>,
  describe: (result: T) => string,
): Promise<T> {
  // The child's own workflow ID is its idempotency key: a retried or re-run child reuses it.
  const status: ChildStatus = { workflowId: workflowInfo().workflowId, orderId, state: 'RUNNING' };
  setHandler(childStatusQuery, () => status);
  try {
    const result = await work(status.workflowId);
    status.state = 'COMPLETED';
    status.detail = describe(result);
    return result;
  } catch (err) {
    // Cancelled while its attempt was failing for a technical reason: that attempt would have been
    // retried, so the cancellation is what ended the child, and it ends Cancelled, like the parent
    // (./progress). A business failure (a declined card, no stock) is the child's own answer: it stands.
    const cancelled = isBusinessFailure(err) ? undefined : cancellationOf(orderId, err);
    status.state = cancelled ? 'CANCELLED' : 'FAILED';
    status.detail = rootCauseMessage(err);
    throw cancelled ?? err;
  }
}
