/**
 * The worker of lesson 02: it hosts the workflow and the activities, and polls the
 * `order-processing` task queue. Run it with `npm run worker -- --lesson 02`, or on its own with
 * `npx ts-node solution/02-order-processing/worker.ts`, against `npm run server` (or any cluster:
 * see common/connection.ts). Ctrl-C stops it.
 */
import { runWorker, type LessonWorker } from '../../common/worker';
import { createActivities } from './activities';
import { TASK_QUEUE } from './shared';

export const lessonWorker: LessonWorker = {
  lesson: '02',
  taskQueue: TASK_QUEUE,
  workflowsPath: require.resolve('./workflows'),
  createActivities,
};

if (require.main === module) runWorker(lessonWorker);
