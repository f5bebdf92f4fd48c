/**
 * The saga's undo list, and how it is run when an order fails or is cancelled.
 *
 * What a real saga needs, and this one does:
 *   - each undo is registered BEFORE its step runs: a step can half-succeed (the card is charged, then
 *     the call times out), and its undo must still happen;
 *   - undos run newest first, and non-cancellably: cancelling an order must not stop its clean-up;
 *   - no undo blocks another: each gets a short burst of attempts per round; one that still fails is
 *     tried again in the next round (2 s, 4 s … 1 min later) while the others carry on;
 *   - an undo that fails with a business error (non-retryable) is recorded and left for a person, and
 *     the rest still run;
 *   - while anything is outstanding, the parent's `status` shows which undo, its attempts and its last
 *     error. When the fault clears, everything finishes, and nothing is undone twice (every undo is
 *     idempotent, and one that is done is never run again).
 */
import { ActivityFailure, CancellationScope, sleep } from '@temporalio/workflow';
import { rootCauseMessage } from '../../../common/failures';
import type { ChildKind, CompensationRecord } from '../shared';
import { COMPENSATION_ATTEMPTS_PER_ROUND, compensationRoundDelayMs } from './options';

/** What the saga reports to: the parent's status (OrderProgress in ./progress, or lesson 07's). */
export interface SagaProgress {
  compensating(records: CompensationRecord[]): void;
  undone(child: ChildKind): void;
}

interface Undo {
  name: string;
  /** The child whose work this undoes (its state becomes COMPENSATED). */
  child: ChildKind;
  /** Resolves to true when something was undone, false when the step had not taken effect. */
  run: () => Promise<boolean>;
}

export class Saga {
  /** Newest first. */
  private readonly undos: Undo[] = [];

  constructor(private readonly progress: SagaProgress) {}

  /** Registers the undo of the step about to run. Call it BEFORE starting the step. */
  addUndo(name: string, child: ChildKind, run: () => Promise<boolean>): void {
    this.undos.unshift({ name, child, run });
  }

  /** Runs every registered undo, newest first, until each is done or needs a person. */
  async compensate(): Promise<void> {
    const records: CompensationRecord[] = this.undos.map((u) => ({ name: u.name, outcome: 'retrying', attempts: 0 }));
    this.progress.compensating(records);
    await CancellationScope.nonCancellable(async () => {
      let outstanding = this.undos.map((undo, i) => ({ undo, record: records[i] }));
      for (let round = 1; outstanding.length > 0; round++) {
        if (round > 1) await sleep(compensationRoundDelayMs(round - 1));
        const stillFailing: typeof outstanding = [];
        for (const { undo, record } of outstanding) {
          try {
            const undone = await undo.run();
            record.attempts += 1;
            record.outcome = undone ? 'done' : 'nothing to undo';
            delete record.lastError;
            if (undone) this.progress.undone(undo.child);
          } catch (err) {
            const exhausted = err instanceof ActivityFailure && err.retryState === 'MAXIMUM_ATTEMPTS_REACHED';
            record.attempts += exhausted ? COMPENSATION_ATTEMPTS_PER_ROUND : 1;
            record.lastError = rootCauseMessage(err);
            if (exhausted) stillFailing.push({ undo, record });
            else record.outcome = 'failed'; // a business error: retrying cannot fix it
          }
        }
        outstanding = stillFailing;
      }
    });
  }
}
