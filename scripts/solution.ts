/**
 * `npm run solution`: everything in one command. Uses the Temporal server your settings point at
 * (TEMPORAL_ADDRESS or a profile), or starts a dev server there when none answers; runs a worker in
 * this process; sends a batch of orders through the lesson-06 solution (or, with `--lesson 07`, the
 * parallel one), plus one order whose address the carrier cannot deliver to, so you see a
 * compensation; prints each outcome and the ledger audit.
 * The orders go to their own namespace, `order-kit-demo`, so your `default` list stays yours.
 * With --keep the worker (and a dev server started here) keep running until Ctrl-C, so you can open
 * the orders in the Web UI and query them.
 */
import path from 'node:path';
import { DEFAULT_LESSON, LESSON_IDS, LESSONS, type LessonId } from '../common/lessons';
import { formatCents, type Ledger, parseSeed, REPO_ROOT, sampleBatch, sampleOrder } from '../services';
import type { OrderResult } from '../solution/06-order-fulfillment/shared';
import { lessonWorkerOf } from '../common/kit/lesson-code';
import { runMain } from '../common/cli';
import { commandArgs } from './lib/args';
import { batchServices } from './lib/batch';
import { formatAudit } from './lib/report';
import { demoServer, runLessonBatch, type BatchResult } from './lib/temporal-run';

/** The lessons whose solution this runs: those with a parent and children (06 sequential, 07 in parallel). */
const PARENT_LESSONS = LESSON_IDS.filter((l) => LESSONS[l].children.length > 0);

const FLAGS = {
  lesson: { type: 'string', choices: PARENT_LESSONS, description: `lesson: ${PARENT_LESSONS.join(', ')} (default 06)` },
  orders: { type: 'int', min: 1, max: 1000, description: 'how many sample orders (default 5), plus one undeliverable' },
  seed: { type: 'int', description: 'seed for the fault draws (default ORDER_SEED or 1)' },
  keep: { type: 'boolean', description: 'keep the worker (and a dev server started here) running until Ctrl-C' },
} as const;

const SUMMARY =
  'Runs a batch of orders through the Temporal solution of lesson 06 (or 07).\nSimulated latency: ORDER_LATENCY (e.g. payment=300ms,inventory=400ms).';

function waitForCtrlC(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function main(): Promise<number> {
  const args = commandArgs('npm run solution --', SUMMARY, FLAGS);
  if (!args) return 0;
  const count = args.orders ?? 5;
  const seed = args.seed ?? parseSeed(process.env.ORDER_SEED);
  const lesson = (args.lesson ?? DEFAULT_LESSON) as LessonId;
  const lessonWorker = lessonWorkerOf(lesson);
  const ledgerFile = path.join(REPO_ROOT, '.data', `solution-${lesson}.sqlite`);
  const services = batchServices(lesson, seed, ledgerFile);
  const { faults, latency } = services;
  // One order the carrier cannot deliver to: shipping fails for good, and the parent compensates.
  const undeliverable = sampleOrder(`ORDER-${String(count + 1).padStart(3, '0')}`);
  undeliverable.customer.address.postalCode = '00000';
  const orders = [...sampleBatch(count), undeliverable];
  try {
    const server = await demoServer((line) => console.log(line));
    try {
      console.log(
        `Temporal at ${server.address}, namespace ${server.namespace}${server.uiUrl ? `; Web UI ${server.uiUrl}` : ''}`,
      );
      console.log(
        `Lesson ${lesson} solution: ${orders.length} orders, seed ${seed}, ${faults.describe()}${latency.describe()}\n`,
      );
      await runLessonBatch<OrderResult>({
        server,
        services,
        orders,
        lesson: lessonWorker,
        afterBatch: async (batch) => {
          report(batch, ledgerFile, services.ledger.audit());
          if (!args.keep) return;
          const list = server.uiUrl
            ? `${server.uiUrl}/namespaces/${server.namespace}/workflows`
            : `the Web UI (namespace ${server.namespace})`;
          console.log(`\nThe worker keeps running on "${lessonWorker.taskQueue}" (namespace ${server.namespace}).`);
          console.log(`Open ${list}, or query an order:`);
          console.log(`  npx temporal workflow query --namespace ${server.namespace} -w order-ORDER-001 --name status`);
          console.log(`Ctrl-C stops the worker${server.devServer ? ' and the dev server' : ''}.`);
          await waitForCtrlC();
        },
      });
    } finally {
      await server.stop();
    }
  } finally {
    services.close();
  }
  return 0;
}

function report(batch: BatchResult<OrderResult>, ledgerFile: string, audit: ReturnType<Ledger['audit']>): void {
  for (const { order, outcome } of batch.runs) {
    if (outcome.kind === 'completed') {
      const warn = outcome.result.warnings.length ? ` (warning: ${outcome.result.warnings.join('; ')})` : '';
      console.log(
        `${order.orderId}  ✅ completed: ${formatCents(outcome.result.totalCents)} charged, tracking ${outcome.result.trackingNumber}${warn}`,
      );
    } else if (outcome.kind === 'failed') {
      const undone = (outcome.result?.compensations ?? []).map((c) => `${c.name} (${c.outcome})`).join(', ');
      console.log(`${order.orderId}  ↩️  ${outcome.message}; compensated: ${undone || 'nothing to undo'}`);
    } else {
      console.log(`${order.orderId}  ↩️  cancelled: ${outcome.message}`);
    }
  }
  console.log(`\n${formatAudit(audit, ledgerFile)}\n`);
  console.log(
    'Each order is a parent workflow order-<id> with children payment-<id>, inventory-<id>, shipping-<id>, notification-<id>.',
  );
}

runMain(main);
