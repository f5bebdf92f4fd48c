/** Where each lesson's code lives, for every target. */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../services';

export const LESSONS = { '06': '06-order-fulfillment' } as const;
export type Lesson = keyof typeof LESSONS;
export const TARGETS = ['solution', 'exercises'] as const;
export type TargetName = (typeof TARGETS)[number];

export function lessonDir(target: TargetName, lesson: Lesson): string {
  const dir = path.join(REPO_ROOT, target, LESSONS[lesson]);
  if (!fs.existsSync(dir)) throw new Error(`${path.relative(REPO_ROOT, dir)} does not exist in this checkout`);
  return dir;
}
