/**
 * Waiting on a lesson-06 order's `status` query, for tests that act at a given moment of the order
 * (cancel while inventory retries, recover a service while the saga compensates).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { queryStatus } from '../../solution/06-order-fulfillment/client';
import type { OrderStatus } from '../../solution/06-order-fulfillment/shared';

/**
 * How long a wait may take before it fails. It returns as soon as the order gets there; the bound
 * leaves room for one activity task lost on its way to the worker, which the server retries only
 * after the task's 10-s StartToClose timeout (docs/concepts.md).
 */
export const ORDER_WAIT_MS = 40_000;

/** Polls the parent's `status` query until `predicate` holds (queries may fail before the first task). */
export async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (status: OrderStatus) => boolean,
  timeoutMs = ORDER_WAIT_MS,
): Promise<OrderStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: OrderStatus | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await queryStatus(handle);
      if (predicate(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `status never matched within ${timeoutMs} ms; last status: ${JSON.stringify(last)}; last error: ${String(lastError)}`,
  );
}
