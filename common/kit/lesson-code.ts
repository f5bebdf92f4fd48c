/**
 * A lesson's code, found through the manifest (common/lessons.ts) and loaded by path: its monolith,
 * and the worker of a target folder. So the CLIs and the grader name no lesson folder, and adding a
 * lesson means adding its manifest entry and its folders, nothing here.
 *
 * The contract each lesson folder keeps:
 *   - original/<folder>/…: `runOrder(order, services, logger)` → { orderId, status, steps, error? };
 *   - solution|exercises/<folder>/worker.ts: `lessonWorker` (see common/worker.ts).
 */
import path from 'node:path';
import { LESSONS, type LessonId, type TargetName } from '../lessons';
import type { OriginalOutcome } from '../original-outcome';
import type { LessonWorker } from '../worker';
import { REPO_ROOT, type Order, type Services } from '../../services';

export type RunOriginal = (order: Order, services: Services, logger: Pick<Console, 'warn'>) => Promise<OriginalOutcome>;

/** The monolith of `lesson`: its `runOrder`. */
export function originalOf(lesson: LessonId): RunOriginal {
  const file = LESSONS[lesson].original;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path.join(REPO_ROOT, file)) as { runOrder?: RunOriginal };
  if (typeof loaded.runOrder !== 'function') {
    throw new Error(`${file} exports no runOrder(order, services, logger): every lesson's original must`);
  }
  return loaded.runOrder;
}

/** The `lessonWorker` of `lesson` in `target` (solution/ or exercises/), or in another copy of it (`dir`). */
export function lessonWorkerOf(lesson: LessonId, target: TargetName = 'solution', dir?: string): LessonWorker {
  const folder = dir ?? path.join(REPO_ROOT, target, LESSONS[lesson].folder);
  const file = `${path.relative(REPO_ROOT, folder)}/worker.ts`;
  let loaded: { lessonWorker?: LessonWorker };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(path.join(folder, 'worker')) as { lessonWorker?: LessonWorker };
  } catch (err) {
    // A learner's file that does not compile or throws at load: one line, not a stack.
    throw new Error(`cannot load ${file}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
  if (!loaded.lessonWorker) throw new Error(`${file} does not export lessonWorker`);
  return loaded.lessonWorker;
}
