/**
 * For activities: one call to a service, made the way a long call should be made under Temporal.
 *
 *   - Business errors (the service says `retryable === false`: a declined card, no stock, a bad address,
 *     an invalid order) become non-retryable ApplicationFailures typed with the error's code, so
 *     Temporal stops at once. Transient errors (timeouts, outages) escape as they are, and the retry
 *     policy decides. (Lesson 02 has you write this part yourself.)
 *   - While the call is in flight the activity heartbeats. A worker that dies or freezes is then noticed
 *     at the heartbeat timeout, not the longer StartToClose; and the answer to a heartbeat is how the
 *     activity learns that its attempt timed out. Then nobody waits for its result any more (the server
 *     has moved on to the next attempt), so it stops waiting: the signal handed to the service aborts.
 *   - A cancelled order is different: the saga wants to know what the call did before it undoes it
 *     (the steps use cancellationType WAIT_CANCELLATION_COMPLETED), so a call that was asked to cancel
 *     still waits for its answer.
 *
 * Stopping the wait does not stop a request that is already on its way: it may still land after its
 * undo ran. The services refuse such a late effect (see fence() in services/service.ts); see
 * docs/concepts.md, "An undo must win against a late step".
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { CallOptions } from '../services';
import { isBusinessError } from './failures';

/** How often a call in flight heartbeats; the SDK throttles the RPCs to 80 % of the heartbeat timeout. */
const HEARTBEAT_EVERY_MS = 1_000;

export async function callService<T>(fn: (options: CallOptions) => Promise<T>): Promise<T> {
  const context = currentActivity();
  // The first heartbeat after a second: most calls answer sooner and never send one.
  const heartbeats = context ? setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS) : undefined;
  try {
    return await fn({ signal: context ? stopWaitingSignal(context) : undefined });
  } catch (err) {
    if (isBusinessError(err)) throw ApplicationFailure.nonRetryable(err.message, err.code);
    throw err;
  } finally {
    clearInterval(heartbeats);
  }
}

/** Aborts when the activity's attempt is over for Temporal (timed out, workflow gone, worker shutting down). */
function stopWaitingSignal(context: Context): AbortSignal {
  const controller = new AbortController();
  const source = context.cancellationSignal;
  const onAbort = () => {
    const details = context.cancellationDetails;
    const cancelRequested = details
      ? details.cancelRequested && !details.timedOut && !details.notFound && !details.workerShutdown
      : (source.reason as Error | undefined)?.message === 'CANCELLED';
    if (!cancelRequested) controller.abort(source.reason);
  };
  if (source.aborted) onAbort();
  else source.addEventListener('abort', onAbort, { once: true });
  return controller.signal;
}

/** The running activity's context, or undefined when called outside an activity (a plain test). */
function currentActivity(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}
