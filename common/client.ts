/**
 * Starting an order's workflow and reading how it ended: the same for every lesson's client.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Order } from '../services/orders';

/** A finished order ID was started again. Each order ID runs once (see docs/concepts.md, re-runs). */
export class OrderAlreadyRanError extends Error {
  constructor(
    readonly workflowId: string,
    readonly closedAs: string,
  ) {
    super(
      `${workflowId} already ran (it ended ${closedAs}); an order ID runs once, so a re-run can never ` +
        `reuse a refunded charge. Start a new order ID instead (e.g. --order ORDER-002).`,
    );
    this.name = 'OrderAlreadyRanError';
  }
}

/**
 * Starts the order's workflow, or follows it when that order is still running. `REJECT_DUPLICATE`
 * makes the server refuse an order ID that already ran, whatever its outcome: orders are not re-run,
 * new orders get new IDs.
 */
export async function startOrderWorkflow(
  client: Client,
  options: { workflowType: string; workflowId: string; taskQueue: string; order: Order },
): Promise<{ handle: WorkflowHandle; started: boolean }> {
  try {
    const handle = await client.workflow.start(options.workflowType, {
      taskQueue: options.taskQueue,
      workflowId: options.workflowId,
      args: [options.order],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { handle, started: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const handle = client.workflow.getHandle(options.workflowId);
    const status = (await handle.describe()).status.name;
    if (status === 'RUNNING') return { handle, started: false };
    throw new OrderAlreadyRanError(options.workflowId, status);
  }
}

/** One link of a failure's `.cause` chain: the error class, its type when it has one, its message. */
export interface FailureLink {
  name: string;
  type?: string;
  message: string;
}

export type OrderOutcome<R> =
  | { kind: 'completed'; result: R }
  | { kind: 'failed'; message: string; type?: string; chain: FailureLink[]; result?: R }
  | { kind: 'cancelled'; message: string };

/**
 * The `.cause` chain from the top (where it failed) to the bottom (what failed). Temporal wraps
 * errors on the way up: WorkflowFailedError → ApplicationFailure (OrderFailed) → ChildWorkflowFailure /
 * ActivityFailure → ApplicationFailure (e.g. CardDeclined). The last link is the real reason.
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

/** Waits for the order's workflow and reads how it ended. */
export async function orderOutcome<R>(handle: WorkflowHandle): Promise<OrderOutcome<R>> {
  try {
    return { kind: 'completed', result: (await handle.result()) as R };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause?.name === 'CancelledFailure') return { kind: 'cancelled', message: cause.message };
    const failure = cause instanceof ApplicationFailure ? cause : undefined;
    return {
      kind: 'failed',
      message: cause?.message ?? err.message,
      ...(failure?.type ? { type: failure.type } : {}),
      chain: causeChain(cause ?? err),
      ...(failure?.details?.[0] !== undefined ? { result: failure.details[0] as R } : {}),
    };
  }
}
