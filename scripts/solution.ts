/**
 * `npm run solution`: everything in one command. Uses the Temporal server at TEMPORAL_ADDRESS, or
 * starts a dev server there when none answers; runs a worker in this process; sends a batch of
 * orders through the lesson-06 solution; prints each outcome and the ledger audit.
 * With --keep a server started here stays up so you can browse the orders in the Web UI.
 */
import path from 'node:path';
import { createActivities } from '../solution/06-order-fulfillment/activities';
import { WORKFLOWS_PATH } from '../solution/06-order-fulfillment/worker';
import { createServices, FaultPlan, formatCents, Ledger, LESSON_06_DEFAULT_FAULTS, parseSeed, REPO_ROOT, sampleBatch } from '../services';
import { parseArgs, runMain, usage } from './lib/args';
import { formatAudit } from './lib/report';
import { runLesson06Batch, serverAtAddress } from './lib/temporal-run';

const FLAGS = {
  orders: { type: 'int', min: 1, description: 'how many orders (default 5)' },
  seed: { type: 'int', description: 'seed for the fault draws (default ORDER_SEED or 1)' },
  keep: { type: 'boolean', description: 'leave a dev server started here running, to browse the Web UI' },
} as const;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    console.log(usage('npm run solution --', 'Runs a batch of orders through the lesson-06 Temporal solution.', FLAGS));
    return 0;
  }
  const count = args.orders ?? 5;
  const seed = args.seed ?? parseSeed(process.env.ORDER_SEED);
  const faults = new FaultPlan(FaultPlan.fromEnv(LESSON_06_DEFAULT_FAULTS).spec, seed);
  const ledgerFile = path.join(REPO_ROOT, '.data', 'solution-06.sqlite');
  const services = createServices({ ledger: Ledger.openFresh(ledgerFile), faults });
  const server = await serverAtAddress((line) => console.log(line));
  console.log(`Temporal at ${server.address}; Web UI ${server.uiUrl ?? '(none)'}`);
  console.log(`Lesson 06 solution: ${count} orders, seed ${seed}, faults ${faults.toString() || 'none'}\n`);
  // Workflow IDs are order-<orderId>; a rerun reuses them once the earlier run has closed.
  const orders = sampleBatch(count);
  try {
    const batch = await runLesson06Batch({ server, services, orders, workflowsPath: WORKFLOWS_PATH, createActivities });
    for (const { order, outcome } of batch.outcomes) {
      if (outcome.kind === 'completed') {
        const warn = outcome.result.warnings.length ? ` (warning: ${outcome.result.warnings.join('; ')})` : '';
        console.log(`${order.orderId}  ✅ completed: ${formatCents(outcome.result.totalCents)} charged, tracking ${outcome.result.trackingNumber}${warn}`);
      } else {
        console.log(`${order.orderId}  ↩️  ${outcome.kind}: ${outcome.message}`);
      }
    }
    console.log(`\n${formatAudit(services.ledger.audit(), ledgerFile)}\n`);
    console.log(`Each order is a parent workflow order-<id> with children payment-<id>, inventory-<id>, shipping-<id>, notification-<id>.`);
  } finally {
    services.close();
    if (server.startedHere && args.keep) {
      server.detach?.();
      console.log(`The dev server keeps running (Web UI ${server.uiUrl}); stop it with: pkill -f "temporal server start-dev"`);
    } else if (server.startedHere) {
      await server.stop();
    }
  }
  return 0;
}

runMain(main);
