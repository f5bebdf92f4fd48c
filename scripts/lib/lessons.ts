/** Where each lesson's code lives, for every target. */
import fs from 'node:fs';
import path from 'node:path';
import { LESSON_02_DEFAULT_FAULTS, LESSON_06_DEFAULT_FAULTS, REPO_ROOT } from '../../services';

export const LESSONS = { '02': '02-order-processing', '06': '06-order-fulfillment' } as const;
export type Lesson = keyof typeof LESSONS;
/** Each lesson's fault rates when ORDER_FAULTS is not set (the seed's). */
export const LESSON_DEFAULT_FAULTS: Record<Lesson, string> = { '02': LESSON_02_DEFAULT_FAULTS, '06': LESSON_06_DEFAULT_FAULTS };
/** Each lesson's task queue (also exported as TASK_QUEUE by the lesson's shared.ts). */
export const LESSON_TASK_QUEUES: Record<Lesson, string> = { '02': 'order-processing', '06': 'order-fulfillment' };
export const TARGETS = ['solution', 'exercises'] as const;
export type TargetName = (typeof TARGETS)[number];

export function lessonDir(target: TargetName, lesson: Lesson): string {
  const dir = path.join(REPO_ROOT, target, LESSONS[lesson]);
  if (!fs.existsSync(dir)) throw new Error(`${path.relative(REPO_ROOT, dir)} does not exist in this checkout`);
  return dir;
}
