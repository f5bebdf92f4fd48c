/**
 * The client: starts OrderProcessingWorkflow for one order and waits for its outcome. Run a worker
 * first (`npm run worker -- --lesson 02 --target solution`).
 */
import { Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Order } from '../../services/orders';
import { TASK_QUEUE, workflowIdFor, type OrderResult } from './shared';

/** One link of a failure's `.cause` chain: the error class, its type when it has one, its message. */
export interface FailureLink {
  name: string;
  type?: string;
  message: string;
}

export type OrderOutcome =
  | { kind: 'completed'; result: OrderResult }
  | { kind: 'failed'; message: string; type?: string; chain: FailureLink[] }
  | { kind: 'cancelled'; message: string };

/** Starts the workflow for `order`. A second start for an order that is still running is refused by the server. */
export function startOrder(client: Client, order: Order, taskQueue = TASK_QUEUE): Promise<WorkflowHandle> {
  return client.workflow.start('orderProcessingWorkflow', {
    taskQueue,
    workflowId: workflowIdFor(order.orderId),
    args: [order],
  });
}

/**
 * The `.cause` chain from the top (where it failed) to the bottom (what failed). Temporal wraps
 * errors on the way up: WorkflowFailedError → ApplicationFailure (OrderFailed) → ActivityFailure →
 * ApplicationFailure (e.g. CardDeclined). Read it bottom-up: the last link is the real reason.
 */
export function causeChain(err: unknown): FailureLink[] {
  const chain: FailureLink[] = [];
  let current: unknown = err;
  while (current instanceof Error) {
    const type = current instanceof ApplicationFailure ? (current.type ?? undefined) : undefined;
    chain.push({ name: current.name, ...(type ? { type } : {}), message: current.message });
    current = current.cause;
  }
  return chain;
}

/** Waits for the order and reads the outcome. */
export async function orderOutcome(handle: WorkflowHandle): Promise<OrderOutcome> {
  try {
    return { kind: 'completed', result: (await handle.result()) as OrderResult };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause?.name === 'CancelledFailure') return { kind: 'cancelled', message: cause.message };
    const chain = causeChain(err);
    const bottom = chain[chain.length - 1];
    return { kind: 'failed', message: bottom.message, type: bottom.type, chain };
  }
}
