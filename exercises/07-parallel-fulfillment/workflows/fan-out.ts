/**
 * The fan-out and its join: start several children at once and wait for all of them.
 *
 * `Promise.all` is not enough. It rejects at the first failure while the other children are still
 * running, and a saga that compensates at that moment runs its undos too early: the release finds no
 * reservation ("nothing to undo"), then the reservation that was still in flight lands, and the stock
 * stays locked for nobody. So when one branch fails, this join
 *   1. cancels the others: a declined card makes the reservation pointless, and cancelling stops its
 *      retries (an attempt in backoff never starts);
 *   2. still waits until every branch has settled. Cancelling cannot call back an attempt that is
 *      already talking to the inventory system; the children and their activities are cancelled with
 *      WAIT_CANCELLATION_COMPLETED, so a branch settles only once its last attempt has ended, and
 *      whatever it did has landed;
 *   3. only then throws the first failure, so the saga's undos see everything there is to undo.
 */
import { CancellationScope } from '@temporalio/workflow';

/**
 * Runs `branches` at the same time. Resolves with every result, in order, when all succeed. When one
 * fails, cancels the rest, waits until each has settled, and throws the first failure.
 */
export async function fanOut<T extends readonly unknown[]>(
  ...branches: { [K in keyof T]: () => Promise<T[K]> }
): Promise<T> {
  // TODO Part C: make the join safe for a saga. This starter is plain Promise.all: it rejects at the first
  //   failure while the other branch may still be running, so the saga's undos can run before that branch
  //   lands (the release finds nothing, then the reservation arrives and stays locked for nobody). Instead:
  //   1. run every branch inside one new CancellationScope: const scope = new CancellationScope();
  //      scope.run(branch) starts a branch in it;
  //   2. when a branch fails, remember its error (the first one only) and scope.cancel() the others: no more
  //      retries for a reservation nobody needs;
  //   3. wait for EVERY branch to settle, failed, cancelled or not: await Promise.allSettled(…);
  //   4. then throw the first failure, or return the results in order.
  return (await Promise.all(branches.map((branch) => branch()))) as unknown as T;
  // END TODO Part C
}
