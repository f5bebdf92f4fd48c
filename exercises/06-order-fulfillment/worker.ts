/**
 * The worker of lesson 06: it hosts the five workflows and the activities, and polls the `order-fulfillment` task queue.
 * Run it with `npm run worker -- --lesson 06`, or on its own with
 * `npx ts-node solution/06-order-fulfillment/worker.ts`, against `npm run server` (or any cluster: see
 * common/connection.ts). Ctrl-C stops it.
 *
 * Written out in full, as you would in your own project: connect to Temporal (a NativeConnection),
 * create a Worker for the task queue with the workflows and the activities, run it. `lessonWorker`
 * below is what the kit's tools (`npm run worker`, the grader) load.
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { runMain } from '../../common/cli';
import { connectWorker, temporalSettings } from '../../common/connection';
import { attemptInterceptor, installWorkerLogging, servicesFromEnv, type LessonWorker } from '../../common/worker';
import { createActivities } from './activities';
import { TASK_QUEUE } from './shared';

export const lessonWorker: LessonWorker = {
  lesson: '06',
  taskQueue: TASK_QUEUE,
  workflowsPath: require.resolve('./workflows'),
  createActivities,
};

async function main(): Promise<void> {
  // Where Temporal is (TEMPORAL_ADDRESS, a profile, or the local dev server), and the outside world
  // (LEDGER_PATH, ORDER_FAULTS, ORDER_SEED, ORDER_LATENCY): a bad value fails here, in one line.
  const settings = temporalSettings();
  const services = servicesFromEnv('06');
  installWorkerLogging('WARN');
  const taskQueue = process.env.TASK_QUEUE?.trim() || TASK_QUEUE;
  const connection: NativeConnection = await connectWorker(settings);
  try {
    const worker = await Worker.create({
      connection,
      namespace: settings.namespace,
      taskQueue,
      // Bundled for the workflow sandbox: deterministic code only, activities imported as types.
      workflowsPath: require.resolve('./workflows'),
      activities: createActivities(services),
      // Tells the simulated services which attempt each call is, so ORDER_FAULTS=…first:N follows Temporal.
      interceptors: { activity: [attemptInterceptor] },
    });
    console.log(`Lesson 06 worker polling "${taskQueue}" on ${settings.address} (namespace ${settings.namespace})`);
    console.log(`  ledger ${services.ledger.path}; ${services.faults.describe()}${services.latency.describe()}`);
    // Until Ctrl-C (SIGINT) or SIGTERM: then it finishes the tasks in flight and stops.
    await worker.run();
  } finally {
    await connection.close();
    services.close();
  }
}

if (require.main === module) runMain(main);
