/**
 * Scores a target against criteria: each scenario runs once, every criterion that needs it reads
 * the same observation. Used by the tests and by the grader.
 */
import { Criterion, Verdict } from './checks';
import { observe, Observation, Target } from './observe';

export interface Score extends Verdict {
  criterion: Criterion;
  observation?: Observation;
}

export async function scoreTarget(target: Target, criteria: Criterion[]): Promise<Score[]> {
  // Every scenario starts at once: they mostly wait on retry backoff, so running them side by side
  // cuts the wall time to about the slowest one.
  const observations = new Map<string, Promise<Observation>>();
  for (const criterion of criteria) {
    if (!observations.has(criterion.scenario.id)) {
      const pending = observe(target, criterion.scenario);
      pending.catch(() => undefined); // reported per criterion below
      observations.set(criterion.scenario.id, pending);
    }
  }
  const scores: Score[] = [];
  for (const criterion of criteria) {
    const pending = observations.get(criterion.scenario.id)!;
    try {
      const observation = await pending;
      scores.push({ criterion, observation, ...criterion.check(observation) });
    } catch (err) {
      scores.push({
        criterion,
        pass: false,
        detail: `the scenario could not run: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  return scores;
}
