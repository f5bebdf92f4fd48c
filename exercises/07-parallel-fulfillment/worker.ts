/**
 * The worker of lesson 07: it hosts the five workflows and the activities, and polls the
 * `order-fulfillment-parallel` task queue. Run it with `npm run worker -- --lesson 07`, or on its own
 * with `npx ts-node solution/07-parallel-fulfillment/worker.ts`, against `npm run server` (or any
 * cluster: see common/connection.ts). Ctrl-C stops it.
 */
import { runWorker, type LessonWorker } from '../../common/worker';
// The activities are lesson 06's: the same services, called the same way.
import { createActivities } from './activities';
import { TASK_QUEUE } from './shared';

export const lessonWorker: LessonWorker = {
  lesson: '07',
  taskQueue: TASK_QUEUE,
  workflowsPath: require.resolve('./workflows'),
  createActivities,
};

if (require.main === module) runWorker(lessonWorker);
