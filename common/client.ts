/**
 * Starting an order's workflow and reading how it ended: the same for every lesson's client.
 */
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { KitError } from '../services/errors';
import { orderIdProblem, orderProblems, type Order } from '../services/orders';

/** An order ID or an order that a client refuses before it starts anything. */
export class InvalidOrderError extends KitError {}

/**
 * `orderId`, when it is one (1-64 letters, digits, '.', '_' or '-'); otherwise an InvalidOrderError whose
 * message starts with `label` (`--order must be …`). Every client checks the ID with this before it
 * connects, so an ID the order's validation would refuse never starts a workflow.
 */
export function checkOrderId(orderId: string, label = 'the order ID'): string {
  const problem = orderIdProblem(orderId);
  if (problem) throw new InvalidOrderError(`${label} ${problem}`);
  return orderId;
}

/**
 * `order`, when it passes the order's validation (services/orders.ts `orderProblems`, the rules the
 * workflow's own validation applies); otherwise an InvalidOrderError naming the first bad field, before
 * anything has started (an order too big would otherwise be refused by the server, or fail mid-way).
 */
export function checkOrder(order: Order): Order {
  const problem = orderProblems(order)[0];
  if (problem) throw new InvalidOrderError(`invalid order: ${problem.field} ${problem.reason}; nothing was started`);
  return order;
}

/**
 * The server no longer knows a workflow the client was following: a dev server restarted on an empty
 * database, or a workflow deleted. Whatever the order did before is still in the outside world.
 */
export class WorkflowForgottenError extends KitError {
  constructor(readonly workflowId: string) {
    super(
      `the Temporal server no longer knows workflow ${workflowId} (was it restarted on an empty database?): ` +
        'what that order charged or reserved may be left behind; `npm run reconcile` undoes it.',
    );
  }
}

/** A finished order ID was started again. Each order ID runs once (see docs/concepts.md, re-runs). */
export class OrderAlreadyRanError extends KitError {
  constructor(
    readonly workflowId: string,
    readonly closedAs: string,
    /** An order ID that has not run yet, to suggest (`npm run client` looks one up). */
    readonly freeOrderId?: string,
  ) {
    super(
      `${workflowId} already ran (it ended ${closedAs}); an order ID runs once, so a re-run can never ` +
        `reuse a refunded charge. Start a new order ID instead` +
        (freeOrderId ? ` (--order ${freeOrderId} has not run yet).` : '.'),
    );
  }
}

/** A workflow that takes one order: what every lesson's client starts. */
type OrderWorkflow = (order: Order) => Promise<unknown>;

/**
 * Starts the order's workflow, or follows it when that order is still running. `REJECT_DUPLICATE`
 * makes the server refuse an order ID that already ran, whatever its outcome: orders are not re-run,
 * new orders get new IDs. A lesson's client passes its workflow function, so the handle it gets back
 * is typed by it (`handle.result()`, `handle.query(…)`); the kit's tools pass the manifest's type name.
 */
export async function startOrderWorkflow<W extends OrderWorkflow>(
  client: Client,
  workflow: W | string,
  options: { workflowId: string; taskQueue: string; order: Order },
): Promise<{ handle: WorkflowHandle<W>; started: boolean }> {
  // The SDK cannot see that a generic W takes [Order]: the constraint above says it does.
  const args = [options.order] as Parameters<W>;
  try {
    const handle = await client.workflow.start<W>(workflow, {
      taskQueue: options.taskQueue,
      workflowId: options.workflowId,
      args,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { handle, started: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const handle = client.workflow.getHandle<W>(options.workflowId);
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

/**
 * Waits for the order's workflow and reads how it ended. A workflow the server has forgotten meanwhile
 * is a WorkflowForgottenError.
 */
export async function orderOutcome<R>(handle: WorkflowHandle): Promise<OrderOutcome<R>> {
  try {
    return { kind: 'completed', result: (await handle.result()) as R };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new WorkflowForgottenError(handle.workflowId);
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
