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
  const observations = new Map<string, Promise<Observation>>();
  const scores: Score[] = [];
  for (const criterion of criteria) {
    let pending = observations.get(criterion.scenario.id);
    if (!pending) {
      pending = observe(target, criterion.scenario);
      observations.set(criterion.scenario.id, pending);
    }
    try {
      const observation = await pending;
      scores.push({ criterion, observation, ...criterion.check(observation) });
    } catch (err) {
      scores.push({ criterion, pass: false, detail: `the scenario could not run: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return scores;
}
