/**
 * The worker of lesson 06: it hosts the five workflows and the activities, and polls the
 * `order-fulfillment` task queue. Run it with `npm run worker -- --lesson 06`, or on its own with
 * `npx ts-node solution/06-order-fulfillment/worker.ts`, against `npm run server` (or any cluster:
 * see common/connection.ts). Ctrl-C stops it.
 */
import { runWorker, type LessonWorker } from '../../common/worker';
import { createActivities } from './activities';
import { TASK_QUEUE } from './shared';

export const lessonWorker: LessonWorker = {
  lesson: '06',
  taskQueue: TASK_QUEUE,
  workflowsPath: require.resolve('./workflows'),
  createActivities,
};

if (require.main === module) runWorker(lessonWorker);
