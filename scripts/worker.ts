/**
 * `npm run worker -- --lesson 06 --target exercises`: a worker for one lesson's code, against the
 * server your settings point at (TEMPORAL_ADDRESS or a profile; start a local one with `npm run server`).
 * Ctrl-C stops it.
 */
import { DEFAULT_LESSON, LESSON_IDS, LESSONS, TARGETS, type LessonId, type TargetName } from '../common/lessons';
import { serveLesson, type LessonWorker } from '../common/worker';
import { lessonWorkerOf } from '../common/kit/lesson-code';
import { runMain } from '../common/cli';
import { commandArgs, UsageError } from './lib/args';

const FLAGS = {
  lesson: { type: 'string', choices: LESSON_IDS, description: `lesson (default ${DEFAULT_LESSON})` },
  target: {
    type: 'string',
    choices: TARGETS,
    description: 'whose code: solution (default, the reference) or exercises (yours)',
  },
  'task-queue': {
    type: 'string',
    description: `task queue (default TASK_QUEUE, else the lesson's: ${LESSON_IDS.map((l) => `${l} ${LESSONS[l].taskQueue}`).join(', ')})`,
  },
} as const;

const SUMMARY = `Runs a worker for a lesson until Ctrl-C.
Outside world: ORDER_FAULTS, ORDER_SEED, ORDER_LATENCY (defaults: ${LESSON_IDS.map((l) => `${l} ${LESSONS[l].defaultFaults}`).join('; ')}); ledger LEDGER_PATH.
Temporal: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE, TEMPORAL_API_KEY, TLS settings.`;

async function main(): Promise<number | void> {
  const args = commandArgs('npm run worker --', SUMMARY, FLAGS);
  if (!args) return 0;
  const lesson = (args.lesson ?? DEFAULT_LESSON) as LessonId;
  const target = (args.target ?? 'solution') as TargetName;
  let lessonWorker: LessonWorker;
  try {
    lessonWorker = lessonWorkerOf(lesson, target);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  await serveLesson(lessonWorker, { label: `Lesson ${lesson} (${target})`, taskQueue: args['task-queue'] });
}

runMain(main);
