/**
 * The worker: hosts the workflow and activities of lesson 02 and polls the `order-processing` task
 * queue. Run it with `npm run worker -- --lesson 02 --target solution` (or plain
 * `ts-node solution/02-order-processing/worker.ts`) against `npm run server`.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createServices, FaultPlan, Ledger, ledgerPathFromEnv, LESSON_02_DEFAULT_FAULTS, type Services } from '../../services';
import { createActivities } from './activities';
import { TASK_QUEUE } from './shared';

export interface LessonWorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  services: Services;
  /** A pre-built bundle (tests and demos bundle once and reuse it); otherwise workflowsPath is bundled. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export const WORKFLOWS_PATH = require.resolve('./workflows');

export function createWorker(options: LessonWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: options.taskQueue ?? TASK_QUEUE,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.services),
  });
}

async function main(): Promise<void> {
  // The outside world: the ledger at LEDGER_PATH, faults from ORDER_FAULTS / ORDER_SEED.
  const services = createServices({ ledger: Ledger.open(ledgerPathFromEnv()), faults: FaultPlan.fromEnv(LESSON_02_DEFAULT_FAULTS) });
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await NativeConnection.connect({ address });
  const taskQueue = process.env.TASK_QUEUE ?? TASK_QUEUE;
  const worker = await createWorker({ connection, namespace: process.env.TEMPORAL_NAMESPACE, taskQueue, services });
  console.log(`Worker polling "${taskQueue}" on ${address}; ledger ${services.ledger.path}; faults ${services.faults.toString() || 'none'}`);
  try {
    await worker.run(); // until Ctrl-C (the SDK shuts down gracefully on SIGINT/SIGTERM)
  } finally {
    await connection.close();
    services.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
