/**
 * The success criteria as real checks: the manifest's criteria (common/lessons.ts: title, Part, hint),
 * each joined with the check in its lesson's checks file (./checks-<lesson>.ts) that judges it.
 */
import { LESSON_IDS, LESSONS, type LessonId } from '../../common/lessons';
import { CHECKS_02 } from './checks-02';
import { CHECKS_03 } from './checks-03';
import { CHECKS_06 } from './checks-06';
import { CHECKS_07 } from './checks-07';
import { CHECKS_08 } from './checks-08';
import type { Check, Criterion } from './criterion';

/** Each lesson's checks, by criterion ID: a lesson in the manifest without a checks file does not compile. */
const CHECKS = {
  '02': CHECKS_02,
  '03': CHECKS_03,
  '06': CHECKS_06,
  '07': CHECKS_07,
  '08': CHECKS_08,
} satisfies Record<LessonId, Record<string, Check>>;

/** A criterion ID that has a check: what code naming a criterion (the grader's explanations) may name. */
export type CriterionId = { [L in LessonId]: keyof (typeof CHECKS)[L] & string }[LessonId];

export const CRITERIA: Criterion[] = LESSON_IDS.flatMap((lesson) =>
  LESSONS[lesson].criteria.map((spec) => {
    const checks: Record<string, Check> = CHECKS[lesson];
    const check = checks[spec.id];
    if (!check)
      throw new Error(`common/lessons.ts names ${spec.id}, which has no check in tests/criteria/checks-${lesson}.ts`);
    return { ...spec, lesson, ...check };
  }),
);

export function criteriaFor(lesson: string, part?: string): Criterion[] {
  return CRITERIA.filter((c) => c.lesson === lesson && (!part || c.part === part));
}
