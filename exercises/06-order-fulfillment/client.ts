/**
 * The client: starts OrderFulfillmentWorkflow for one order and watches it through the `status`
 * query until it ends. Run a worker first (`npm run worker -- --lesson 06 --target solution`).
 */
import { Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Order } from '../../services/orders';
import { parentWorkflowId, TASK_QUEUE, type OrderResult, type OrderStatus } from './shared';

export type OrderOutcome =
  | { kind: 'completed'; result: OrderResult }
  | { kind: 'failed'; message: string; type?: string; result?: OrderResult }
  | { kind: 'cancelled'; message: string };

/** Starts the parent for `order`. A second start for an order that is still running is refused by the server. */
export function startOrder(client: Client, order: Order, taskQueue = TASK_QUEUE): Promise<WorkflowHandle> {
  return client.workflow.start('orderFulfillmentWorkflow', {
    taskQueue,
    workflowId: parentWorkflowId(order.orderId),
    args: [order],
  });
}

/** Waits for the order and reads the outcome, walking the failure's `.cause` chain for the reason. */
export async function orderOutcome(handle: WorkflowHandle): Promise<OrderOutcome> {
  try {
    return { kind: 'completed', result: (await handle.result()) as OrderResult };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause?.name === 'CancelledFailure') return { kind: 'cancelled', message: cause.message };
    if (cause instanceof ApplicationFailure) {
      return { kind: 'failed', message: cause.message, type: cause.type ?? undefined, result: cause.details?.[0] as OrderResult | undefined };
    }
    return { kind: 'failed', message: cause?.message ?? err.message };
  }
}

/** The parent's answer to the `status` query. */
export function queryStatus(handle: WorkflowHandle): Promise<OrderStatus> {
  return handle.query<OrderStatus>('status');
}
