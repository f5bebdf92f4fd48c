/**
 * `npm run worker -- --lesson 06 --target solution`: a worker for one lesson, against the server at
 * TEMPORAL_ADDRESS (start one with `npm run server`). Ctrl-C stops it.
 */
import { NativeConnection } from '@temporalio/worker';
import { createServices, FaultPlan, Ledger, ledgerPathFromEnv } from '../services';
import { parseArgs, runMain, usage } from './lib/args';
import { LESSON_DEFAULT_FAULTS, LESSON_TASK_QUEUES, lessonDir, LESSONS, TARGETS, type Lesson, type TargetName } from './lib/lessons';
import { quietWorkerLogs } from './lib/local-env';

const FLAGS = {
  lesson: { type: 'string', choices: Object.keys(LESSONS), description: 'lesson (default 06)' },
  target: { type: 'string', choices: TARGETS, description: 'whose code to run: solution (default) or exercises (yours)' },
  'task-queue': { type: 'string', description: `task queue (default the lesson's: ${Object.entries(LESSON_TASK_QUEUES).map(([l, q]) => `${l} ${q}`).join(', ')})` },
} as const;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    const faults = Object.entries(LESSON_DEFAULT_FAULTS).map(([l, f]) => `${l}: ${f}`).join('; ');
    console.log(usage('npm run worker --', `Runs a worker for a lesson. Faults: ORDER_FAULTS, ORDER_SEED (defaults ${faults}); ledger: LEDGER_PATH.`, FLAGS));
    return 0;
  }
  const lesson = (args.lesson ?? '06') as Lesson;
  const target = (args.target ?? 'solution') as TargetName;
  const dir = lessonDir(target, lesson);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createWorker } = require(`${dir}/worker`) as typeof import('../solution/06-order-fulfillment/worker');
  const { TASK_QUEUE } = require(`${dir}/shared`) as typeof import('../solution/06-order-fulfillment/shared');
  quietWorkerLogs('WARN');
  const services = createServices({ ledger: Ledger.open(ledgerPathFromEnv()), faults: FaultPlan.fromEnv(LESSON_DEFAULT_FAULTS[lesson]) });
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await NativeConnection.connect({ address });
  const taskQueue = args['task-queue'] ?? TASK_QUEUE;
  const worker = await createWorker({ connection, namespace: process.env.TEMPORAL_NAMESPACE, taskQueue, services });
  console.log(`Lesson ${lesson} worker (${target}) polling "${taskQueue}" on ${address}`);
  console.log(`  ledger ${services.ledger.path}; faults ${services.faults.toString() || 'none'} (seed ${services.faults.seed})`);
  try {
    await worker.run();
  } finally {
    await connection.close();
    services.close();
  }
  return 0;
}

runMain(main);
