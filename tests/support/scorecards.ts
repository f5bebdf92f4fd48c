/**
 * Reading a scorecard (the Score[] tests/criteria/scorecard.ts returns) in the lesson tests: one
 * criterion's score, the criteria a target passed, and the solution's one test per criterion.
 */
import { expect } from 'chai';
import type { Criterion } from '../criteria/criterion';
import type { Score } from '../criteria/scorecard';

/** The score of criterion `id`; throws when the scorecard has none. */
export function scoreOf(scores: Score[], id: string): Score {
  const found = scores.find((s) => s.criterion.id === id);
  if (!found) throw new Error(`no score for ${id}`);
  return found;
}

/** The score of criterion `id`, which must have failed: what the test then reads the cause from. */
export function failedScore(scores: Score[], id: string): Score {
  const score = scoreOf(scores, id);
  expect(score.pass, `${id} passed`).to.equal(false);
  return score;
}

/** The IDs of the criteria the scorecard passes, in its order. */
export function passedIds(scores: Score[]): string[] {
  return scores.filter((s) => s.pass).map((s) => s.criterion.id);
}

/**
 * One test per criterion, `passes <id>: <title>`, each reading its score from `scores()` (the scorecard
 * a `before` hook filled in).
 */
export function itPassesEach(criteria: Criterion[], scores: () => Score[]): void {
  for (const criterion of criteria) {
    it(`passes ${criterion.id}: ${criterion.title}`, () => {
      const score = scoreOf(scores(), criterion.id);
      expect(score.pass, score.detail).to.equal(true);
    });
  }
}
