/**
 * How the lessons raise and read failures, in one place so every lesson fails the same way. Workflow
 * code imports it, so it stays deterministic: no Node modules, no I/O.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ServiceError } from '../services/errors';
import { orderProblems, orderSizeProblem } from '../services/orders';

export function isBusinessError(err: unknown): err is ServiceError {
  return err instanceof Error && 'retryable' in err && (err as ServiceError).retryable === false;
}

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
 * True when a business error ended the step: somewhere in the `.cause` chain a non-retryable
 * ApplicationFailure (a declined card, no stock). That is the step's own answer; no retry or
 * cancellation would have changed it.
 */
export function isBusinessFailure(err: unknown): boolean {
  for (let current: unknown = err; current instanceof Error; current = current.cause) {
    if (current instanceof ApplicationFailure && current.nonRetryable) return true;
  }
  return false;
}

/**
 * Workflow input arrives as JSON from whoever started the workflow (a client, the CLI, the Web UI).
 * Check its shape before touching it: a `null` order would otherwise crash the workflow *task*, which
 * Temporal retries for ever. A non-retryable ApplicationFailure fails the workflow instead, at once.
 * An order too big to be a real one (over 64 KiB as JSON) is refused here too, before any step copies it.
 */
export function assertOrderShape(order: unknown): void {
  const o = order as { orderId?: unknown; items?: unknown; customer?: unknown } | null;
  const problem =
    typeof o !== 'object' || o === null
      ? 'the order must be an object'
      : typeof o.orderId !== 'string' || o.orderId.trim() === ''
        ? 'orderId is missing'
        : !Array.isArray(o.items)
          ? 'items must be a list'
          : typeof o.customer !== 'object' || o.customer === null
            ? 'customer is missing'
            : undefined;
  if (problem) throw ApplicationFailure.nonRetryable(`invalid order: ${problem}`, 'InvalidOrder');
  if (orderSizeProblem(order)) {
    // Named by field where one is to blame (`customer.address.line1 is longer than 200 characters`).
    const first = orderProblems(order)[0];
    throw ApplicationFailure.nonRetryable(`invalid order: ${first.field} ${first.reason}`, 'InvalidOrder');
  }
}

/**
 * The one shape every failed order has, in lessons 02 and 06: type `OrderFailed`, a message that says
 * where and why (`order ORDER-001 failed at shipping: shipping service unavailable (attempt 4)`), the
 * original error as its cause, and the order's result in its details. Non-retryable: the order is over.
 */
export function orderFailed(orderId: string, step: string, err: unknown, details?: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'OrderFailed',
    message: `order ${orderId} failed at ${step}: ${rootCauseMessage(err)}`,
    nonRetryable: true,
    cause: err instanceof Error ? err : undefined,
    details: details === undefined ? undefined : [details],
  });
}
