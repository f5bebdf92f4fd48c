/**
 * The simulated world a batch of orders meets: the lesson's faults and ORDER_LATENCY, both drawn from
 * the run's seed, on a fresh ledger. The same seed meets the same faults, in the original, the solution
 * and the bench alike.
 */
import { LESSONS, type LessonId } from '../../common/lessons';
import { createServices, FaultPlan, LatencyPlan, Ledger, type Services } from '../../services';

/** The fault plan a batch runs with: ORDER_FAULTS when set, else the lesson's own rates. */
export function lessonFaults(lesson: LessonId, seed: number): FaultPlan {
  return new FaultPlan(FaultPlan.fromEnv(LESSONS[lesson].defaultFaults).spec, seed);
}

/** The lesson's faults and ORDER_LATENCY, on a fresh ledger at `ledgerFile`. */
export function batchServices(lesson: LessonId, seed: number, ledgerFile: string): Services {
  // Both plans first: a bad ORDER_FAULTS or ORDER_LATENCY is refused before the last run's ledger goes.
  const faults = lessonFaults(lesson, seed);
  const latency = new LatencyPlan(LatencyPlan.fromEnv().spec, seed);
  // A fresh ledger every run: the same seed must meet the same faults (attempts are counted per key).
  return createServices({ ledger: Ledger.openFresh(ledgerFile), faults, latency });
}
