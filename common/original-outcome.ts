/**
 * What every lesson's original (its monolith) returns for one order, so that `npm run original`, the
 * bench and the grader can run, print and judge any of them: each step it got to, in order, and how
 * the order ended.
 */
export interface OriginalOutcome<Step extends string = string> {
  orderId: string;
  status: 'completed' | 'failed';
  /** Done (`detail`: what it did) or failed (`detail`: the error), in the order the code ran them. */
  steps: { step: Step; ok: boolean; detail: string }[];
  error?: string;
}
