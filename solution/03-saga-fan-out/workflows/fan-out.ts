/**
 * The fan-out and its join (the fan-in): start several branches at once and wait for all of them.
 *
 * `Promise.all` is not enough. It rejects at the first failure while the other branches are still
 * running, and a saga that compensates at that moment runs its undos too early: the release finds no
 * reservation ("nothing to undo"), then the reservation that was still in flight lands. So when one
 * branch fails, this join
 *   1. cancels the others: an out-of-stock warehouse makes the other reservations pointless, and
 *      cancelling stops their retries (an attempt waiting in backoff never starts);
 *   2. still waits until every branch has settled. Cancelling cannot call back a request that is
 *      already on its way to the warehouse; the activities are cancelled with WAIT_CANCELLATION_COMPLETED
 *      (./options.ts), so a branch settles only once its last attempt has ended and whatever it did has
 *      landed;
 *   3. only then throws the first failure, so the saga's undos see everything there is to undo.
 */
import { CancellationScope } from '@temporalio/workflow';

/**
 * Runs `branches` at the same time. Resolves with every result, in order, when all succeed. When one
 * fails, cancels the rest, waits until each has settled, and throws the first failure.
 */
export async function fanOut<T>(branches: (() => Promise<T>)[]): Promise<T[]> {
  // The branches share one scope, so cancelling it cancels exactly them; cancelling the whole order
  // (the workflow's scope) reaches them through it too.
  const scope = new CancellationScope();
  let firstFailure: { error: unknown } | undefined;
  const settled = await Promise.allSettled(
    branches.map((branch) =>
      scope.run(branch).catch((error: unknown) => {
        if (!firstFailure) {
          firstFailure = { error };
          scope.cancel();
        }
        throw error;
      }),
    ),
  );
  if (firstFailure) throw firstFailure.error;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<T>).value);
}
