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

/**
 * Runs `branches` at the same time. Resolves with every result, in order, when all succeed. When one
 * fails, cancels the rest, waits until each has settled, and throws the first failure.
 */
export async function fanOut<T>(branches: (() => Promise<T>)[]): Promise<T[]> {
  // TODO Part D: make the join safe for a saga. This starter is plain Promise.all: it rejects at the first
  //   failure while the other branches may still be running, so the saga's undos run before those branches
  //   land (the release finds nothing; the reservation arrives later). Instead:
  //   1. run every branch inside one new CancellationScope: const scope = new CancellationScope();
  //      scope.run(branch) starts a branch in it;
  //   2. when a branch fails, remember its error (the first one only) and scope.cancel() the others: no more
  //      retries for reservations nobody needs;
  //   3. wait for EVERY branch to settle, failed, cancelled or not: await Promise.allSettled(…);
  //   4. then throw the first failure, or return the results in order.
  return Promise.all(branches.map((branch) => branch()));
  // END TODO Part D
}
