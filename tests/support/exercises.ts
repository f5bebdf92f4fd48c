/**
 * A lesson's two trees, solution/ and exercises/, for the tests that check the exercises against the
 * solution (tests/integration/exercises-*.test.ts), and the Parts the lesson doc has a section for.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LESSONS, type LessonId } from '../../common/lessons';
import { REPO_ROOT } from '../../services';

/** `solution/<lesson>` and `exercises/<lesson>`. */
export function lessonTrees(lesson: LessonId): { solution: string; exercises: string } {
  const folder = LESSONS[lesson].folder;
  return { solution: path.join(REPO_ROOT, 'solution', folder), exercises: path.join(REPO_ROOT, 'exercises', folder) };
}

/** The Parts the lesson doc has a `## Part X:` section for, sorted, each once. */
export function partsInDoc(lesson: LessonId): string[] {
  const doc = fs.readFileSync(path.join(REPO_ROOT, LESSONS[lesson].doc), 'utf8');
  return [...new Set([...doc.matchAll(/^## Part ([A-Z]):/gm)].map((m) => m[1]))].sort();
}
