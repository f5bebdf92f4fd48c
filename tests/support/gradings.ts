/**
 * The grader's runs in a lesson's exercise tests (tests/integration/exercises-NN.test.ts) and broken
 * copies (tests/e2e/grader-variants-NN.test.ts): each run starts once, they all start together in the
 * second wave (./eager.ts; one server, one worker per copy), and each test awaits the one it reads, so a
 * failure is still reported by the test that owns it.
 */
import { expect } from 'chai';
import { LESSONS, type LessonId } from '../../common/lessons';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson, type GradedCriterion, type GradeReport } from '../criteria/grade';
import { scoreTarget, type Score } from '../criteria/scorecard';
import { criterion, removeVariants, variant } from '../criteria/variants';
import { afterEager } from './eager';

type Runs = Record<string, () => Promise<unknown>>;

/**
 * `runs`, each started at most once and shared by whoever awaits it; `startAll`, for a `before` hook,
 * starts every one of them in the second wave, side by side with the other graders.
 */
export function secondWaveGradings<R extends Runs>(runs: R): { grading: R; startAll: () => Promise<void> } {
  const grading = Object.fromEntries(Object.entries(runs).map(([name, run]) => [name, once(run)])) as R;
  const startAll = afterEager(async () => {
    for (const run of Object.values(grading)) run().catch(() => undefined); // reported by its own test
  });
  return { grading, startAll };
}

function once<T>(run: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= run());
}

/**
 * Copies of `lesson`'s solution with one mistake each, at `.variant-broken-<lesson>-<name>/` (not
 * `<lesson>-`: the integration tests remove their own copies by that prefix).
 */
export function brokenCopiesOf(lesson: LessonId) {
  const copy = (name: string, mutate: (dir: string) => void) =>
    variant(LESSONS[lesson].folder, `broken-${lesson}-${name}`, mutate);
  return {
    /**
     * Grades the copy with this mistake: on `criteria` alone when given (only what the mistake breaks),
     * else on `part`'s criteria, else on all of them.
     */
    grade: (
      name: string,
      mutate: (dir: string) => void,
      { part, criteria }: { part?: string; criteria?: string[] } = {},
    ): Promise<GradeReport> => gradeLesson(lesson, copy(name, mutate), part, criteria ? { criteria } : {}),
    /** Scores the copy with this mistake on the criteria `ids` only: the scorecard, without the grader's words. */
    score: (name: string, mutate: (dir: string) => void, ids: string[]): Promise<Score[]> =>
      scoreTarget(
        { kind: 'temporal', name, lessonDir: copy(name, mutate), lesson },
        criteriaFor(lesson).filter((c) => ids.includes(c.id)),
      ),
    /** Removes every copy, for the file's `after` hook. */
    remove: () => removeVariants(`broken-${lesson}-`),
  };
}

/** Every criterion of `lesson` graded and passed, with no finding: what the solution's code must get. */
export function expectEveryCriterionPassed(report: GradeReport, lesson: LessonId): void {
  expect(report.criteria.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).to.deep.equal([]);
  expect(report.total).to.equal(criteriaFor(lesson).length);
  expect(report.findings).to.deep.equal([]);
}

/** Criterion `id` of a broken copy's report, which must have failed: what the test then reads the cause from. */
export function failedCriterion(report: GradeReport, id: string): GradedCriterion {
  const graded = criterion(report, id);
  expect(graded.pass, `${id} passed on a broken copy`).to.equal(false);
  return graded;
}
