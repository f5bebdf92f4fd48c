/**
 * `npm run client -- --lesson 06`: starts one order and watches it through the `status` query until
 * it ends, then prints the result and the ledger audit. Needs a worker (`npm run worker`).
 * `--lesson 02` starts the lesson-02 workflow instead (it has no status query: the client waits for
 * the result and prints a failure's whole `.cause` chain).
 */
import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { formatCents, Ledger, ledgerPathFromEnv, Order, sampleOrder } from '../services';
import * as lesson02 from '../solution/02-order-processing/client';
import { TASK_QUEUE as TASK_QUEUE_02, workflowIdFor } from '../solution/02-order-processing/shared';
import { orderOutcome, queryStatus, startOrder } from '../solution/06-order-fulfillment/client';
import { parentWorkflowId, TASK_QUEUE, type OrderStatus } from '../solution/06-order-fulfillment/shared';
import { parseArgs, runMain, usage, UsageError } from './lib/args';
import { LESSONS } from './lib/lessons';
import { formatAudit } from './lib/report';

const FLAGS = {
  lesson: { type: 'string', choices: Object.keys(LESSONS), description: 'lesson (default 06)' },
  target: { type: 'string', choices: ['solution', 'exercises'], description: 'only labels the output: the worker decides whose code runs' },
  order: { type: 'string', description: 'order ID (default ORDER-001, the sample order: 2 items, $1,059.97)' },
  'payment-token': { type: 'string', description: 'card token (default tok_visa; tok_declined is always declined)' },
  'task-queue': { type: 'string', description: 'task queue (default the lesson\'s: 02 order-processing, 06 order-fulfillment)' },
} as const;

function describe(status: OrderStatus): string {
  const children = Object.entries(status.children).map(([kind, c]) => `${kind}=${c.state}`).join(' ');
  return `${status.state.padEnd(12)} ${children}`;
}

function printAudit(): void {
  const ledger = Ledger.open(ledgerPathFromEnv());
  console.log('\n' + formatAudit(ledger.audit(), ledger.path));
  ledger.close();
}

/** Lesson 02: start (or follow) the order, wait for the result, print it. */
async function runLesson02(client: Client, order: Order, taskQueue: string): Promise<number> {
  const workflowId = workflowIdFor(order.orderId);
  let handle;
  try {
    handle = await lesson02.startOrder(client, order, taskQueue);
    console.log(`Started ${workflowId} (${formatCents(order.items.reduce((s, i) => s + i.quantity * i.unitPriceCents, 0))})`);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    handle = client.workflow.getHandle(workflowId);
    console.log(`${workflowId} is already running: following it instead of starting it again.`);
  }
  console.log('Web UI: http://localhost:8233/namespaces/default/workflows/' + encodeURIComponent(workflowId));
  const outcome = await lesson02.orderOutcome(handle);
  if (outcome.kind === 'completed') {
    const r = outcome.result;
    console.log(`Completed: charged ${formatCents(r.totalCents)} (${r.chargeId}), shipping quote ${formatCents(r.shippingCents)}, tracking ${r.trackingNumber}`);
  } else if (outcome.kind === 'failed') {
    console.log('Failed. The .cause chain, top (where) to bottom (what):');
    outcome.chain.forEach((link, i) => {
      console.log(`  ${'  '.repeat(i)}${link.name}${link.type ? ` [${link.type}]` : ''}: ${link.message}`);
    });
  } else {
    console.log(`Cancelled: ${outcome.message}`);
  }
  printAudit();
  return outcome.kind === 'completed' ? 0 : 1;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    console.log(usage('npm run client --', 'Starts one order and follows it to the end.', FLAGS));
    return 0;
  }
  const orderId = args.order ?? 'ORDER-001';
  if (!/^[A-Za-z0-9._-]+$/.test(orderId)) throw new UsageError(`--order must be letters, digits, '.', '_' or '-' (got "${orderId}")`);
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' });
  try {
    const order = sampleOrder(orderId);
    if (args['payment-token']) order.paymentToken = args['payment-token'];
    if (args.lesson === '02') return await runLesson02(client, order, args['task-queue'] ?? TASK_QUEUE_02);
    let handle;
    try {
      handle = await startOrder(client, order, args['task-queue'] ?? TASK_QUEUE);
      console.log(`Started ${parentWorkflowId(orderId)} (${formatCents(order.items.reduce((s, i) => s + i.quantity * i.unitPriceCents, 0))})`);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // Same order, still running: follow that run rather than starting (and charging) twice.
      handle = client.workflow.getHandle(parentWorkflowId(orderId));
      console.log(`${parentWorkflowId(orderId)} is already running: following it instead of starting it again.`);
    }
    console.log('Web UI: http://localhost:8233/namespaces/default/workflows/' + encodeURIComponent(handle.workflowId));
    const outcomePromise = orderOutcome(handle);
    let finished = false;
    void outcomePromise.finally(() => (finished = true));
    let last = '';
    while (!finished) {
      try {
        const line = describe(await queryStatus(handle));
        if (line !== last) console.log(`  ${line}`);
        last = line;
      } catch {
        // No worker has picked the order up yet, or it just finished.
      }
      await Promise.race([outcomePromise, new Promise((resolve) => setTimeout(resolve, 250))]);
    }
    const outcome = await outcomePromise;
    if (outcome.kind === 'completed') {
      console.log(`Completed: tracking ${outcome.result.trackingNumber}${outcome.result.warnings.length ? `; warnings: ${outcome.result.warnings.join('; ')}` : ''}`);
    } else {
      console.log(`${outcome.kind === 'failed' ? 'Failed' : 'Cancelled'}: ${outcome.message}`);
    }
    printAudit();
    return outcome.kind === 'completed' ? 0 : 1;
  } finally {
    await connection.close();
  }
}

runMain(main);
