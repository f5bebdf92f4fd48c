/**
 * `npm run client -- --lesson 06 --order ORDER-001`: starts one order and follows it to the end (for
 * lessons 06 and 07, through the `status` query: every state change, and any undo that keeps failing), then
 * prints the result and the ledger audit. It says so when no worker polls the task queue.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checkOrder,
  checkOrderId,
  OrderAlreadyRanError,
  orderOutcome,
  startOrderWorkflow,
  type OrderOutcome,
} from '../common/client';
import { connectClient, temporalSettings } from '../common/connection';
import { describeTrouble, workflowTaskTrouble } from '../common/workflow-trouble';
import { DEFAULT_LESSON, LESSON_IDS, LESSONS, orderWorkflowId, type LessonId } from '../common/lessons';
import { openLedger } from '../common/ledger';
import { formatCents, type Ledger, ledgerPathFromEnv, orderTotalCents, sampleOrder, type Order } from '../services';
import type { OrderResult as Result02 } from '../solution/02-order-processing/shared';
import type { OrderResult as ParentResult, OrderStatus as Status06 } from '../solution/06-order-fulfillment/shared';
import { runMain } from '../common/cli';
import { commandArgs, UsageError } from './lib/args';
import { formatAudit } from './lib/report';
import { webUiUrl, workflowUrl } from './lib/ui';

const FLAGS = {
  lesson: { type: 'string', choices: LESSON_IDS, description: `lesson (default ${DEFAULT_LESSON})` },
  order: {
    type: 'string',
    description: 'order ID (default: the first free ORDER-NNN; the sample order, 2 items, $1,059.97)',
  },
  'payment-token': {
    type: 'string',
    description:
      'card token (default tok_visa; tok_declined is declined; tok_disputed is charged, then cannot be refunded)',
  },
  'task-queue': {
    type: 'string',
    description: `task queue (default TASK_QUEUE, else the lesson's: ${LESSON_IDS.map((l) => `${l} ${LESSONS[l].taskQueue}`).join(', ')})`,
  },
} as const;

const SUMMARY = 'Starts one order and follows it to the end.';

/** A parent's `status` answer: lesson 06's shape, with the states of any lesson (07 adds PAYMENT_AND_INVENTORY). */
type OrderStatus = Omit<Status06, 'state'> & { state: string };

/** `COMPENSATING  payment=COMPENSATED …  refund payment: retrying (6 attempts; last error …)`. */
export function describeStatus(status: OrderStatus): string {
  const children = Object.entries(status.children)
    .map(([kind, c]) => `${kind}=${c.state}`)
    .join(' ');
  // An undo not tried yet is just waiting its turn; one that has failed at least once is worth a line.
  const outstanding = status.compensations
    .filter((c) => (c.outcome === 'retrying' && c.attempts > 0) || c.outcome === 'failed')
    .map((c) =>
      c.outcome === 'failed'
        ? `${c.name}: FAILED for good (${c.lastError ?? 'no error'}): a person must look`
        : `${c.name}: retrying (${c.attempts} attempts${c.lastError ? `; last error: ${c.lastError}` : ''})`,
    );
  return [`${status.state.padEnd(12)} ${children}`, ...outstanding].join('\n    ');
}

/** ORDER-001, ORDER-002 …: the first whose workflow does not exist yet (each order ID runs once). */
async function nextFreeOrderId(client: Client, lesson: LessonId): Promise<string> {
  for (let i = 1; i < 1000; i++) {
    const orderId = `ORDER-${String(i).padStart(3, '0')}`;
    try {
      await client.workflow.getHandle(orderWorkflowId(lesson, orderId)).describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return orderId;
      throw err;
    }
  }
  throw new UsageError('ORDER-001 to ORDER-999 have all run on this server: pick one with --order');
}

/** True when at least one worker polled the task queue recently. */
async function hasWorker(client: Client, taskQueue: string): Promise<boolean> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (response.pollers?.length ?? 0) > 0;
}

function printAudit(ledger: Ledger): void {
  console.log('\n' + formatAudit(ledger.audit(), ledger.path));
}

/** Follows the order until it ends, printing each new `status` (lessons 06, 07) and a missing worker, once. */
async function follow<R>(
  client: Client,
  handle: WorkflowHandle,
  outcome: Promise<OrderOutcome<R>>,
  options: { taskQueue: string; lesson: LessonId; status?: (h: WorkflowHandle) => Promise<OrderStatus> },
): Promise<OrderOutcome<R> | Stuck> {
  let finished = false;
  // Settled either way; a rejection is the caller's to handle (through the `outcome` returned below).
  const settle = () => (finished = true);
  outcome.then(settle, settle);
  // A workflow task that keeps failing (a non-determinism error, an Error thrown in workflow code) never
  // ends the order, and its queries would wait for it: look for one every 2 s, beside the status queries.
  const stuck = watchForTrouble(client, handle.workflowId, Boolean(options.status));
  try {
    return await followUntilEnd(client, handle, outcome, options, stuck.found, () => finished);
  } finally {
    stuck.stop();
  }
}

async function followUntilEnd<R>(
  client: Client,
  handle: WorkflowHandle,
  outcome: Promise<OrderOutcome<R>>,
  options: { taskQueue: string; lesson: LessonId; status?: (h: WorkflowHandle) => Promise<OrderStatus> },
  stuck: Promise<Stuck | undefined>,
  over: () => boolean,
): Promise<OrderOutcome<R> | Stuck> {
  let last = '';
  let warned = false;
  const started = Date.now();
  while (!over()) {
    // A query waits until a worker answers it: ask only while one polls, so that a missing worker is
    // reported after 1.5 s instead of after the query's own timeout.
    const polled = await hasWorker(client, options.taskQueue).catch(() => true);
    if (!warned && !polled && Date.now() - started > 1500) {
      warned = true;
      console.log(
        `  No worker is polling "${options.taskQueue}": the order waits until one does. In another terminal:\n` +
          `    npm run worker -- --lesson ${options.lesson} --target exercises   (or --target solution)`,
      );
    }
    if (options.status && polled) {
      try {
        const answer = await Promise.race([options.status(handle), stuck]);
        if (answer && 'state' in answer) {
          const line = describeStatus(answer);
          if (line !== last) console.log(`  ${line}`);
          last = line;
        }
      } catch {
        // No worker has picked the order up yet, or it just finished.
      }
    }
    const trouble = await Promise.race([outcome.then(() => undefined), stuck, sleep(250)]);
    if (trouble) return trouble;
  }
  return outcome;
}

/** The order's workflow task keeps failing: it stays Running, and this client stops following it. */
interface Stuck {
  kind: 'stuck';
  line: string;
}

function watchForTrouble(client: Client, workflowId: string, followChildren: boolean) {
  const stop = new AbortController();
  const found = (async (): Promise<Stuck | undefined> => {
    while (!stop.signal.aborted) {
      await sleep(2_000, undefined, { signal: stop.signal }).catch(() => undefined);
      if (stop.signal.aborted) return undefined;
      const trouble = await workflowTaskTrouble(client, workflowId, { followChildren }).catch(() => undefined);
      if (trouble) return { kind: 'stuck', line: describeTrouble(trouble) };
    }
    return undefined;
  })();
  return { found, stop: () => stop.abort() };
}

async function main(): Promise<number> {
  const args = commandArgs('npm run client --', SUMMARY, FLAGS);
  if (!args) return 0;
  const lesson = (args.lesson ?? DEFAULT_LESSON) as LessonId;
  if (args.order !== undefined) checkOrderId(args.order, '--order');
  const paymentToken = args['payment-token'];
  const orderFor = (orderId: string): Order => ({ ...sampleOrder(orderId), ...(paymentToken ? { paymentToken } : {}) });
  const taskQueue = args['task-queue'] ?? process.env.TASK_QUEUE?.trim() ?? LESSONS[lesson].taskQueue;
  // Everything that can be refused is refused before anything starts: the order, the settings, the
  // ledger (the audit at the end reads it), the server and its namespace.
  checkOrder(orderFor(args.order ?? 'ORDER-001'));
  const settings = temporalSettings();
  const ledger = openLedger(ledgerPathFromEnv(process.env, lesson));
  try {
    const client = await connectClient(settings);
    try {
      const orderId = args.order ?? (await nextFreeOrderId(client, lesson));
      if (!args.order) console.log(`No --order given: ${orderId}, the first order ID that has not run on this server.`);
      const order = checkOrder(orderFor(orderId));
      try {
        return await placeOrder(client, { lesson, taskQueue, order, ledger, ...settings });
      } catch (err) {
        // Refused: the ID is spent. Suggest one that is free, rather than one that may be spent too.
        if (!(err instanceof OrderAlreadyRanError)) throw err;
        throw new OrderAlreadyRanError(err.workflowId, err.closedAs, await nextFreeOrderId(client, lesson));
      }
    } finally {
      await client.connection.close();
    }
  } finally {
    ledger.close();
  }
}

/** Starts `order` (or follows it when it is running), prints how it ends and the audit; the exit code. */
async function placeOrder(
  client: Client,
  options: { lesson: LessonId; taskQueue: string; order: Order; ledger: Ledger; address: string; namespace: string },
): Promise<number> {
  const { lesson, taskQueue, order, ledger } = options;
  // What the lesson's own client.ts does, with the workflow type and ID from the manifest.
  const { handle, started } = await startOrderWorkflow(client, LESSONS[lesson].workflowType, {
    workflowId: orderWorkflowId(lesson, order.orderId),
    taskQueue,
    order,
  });
  console.log(
    started
      ? `Started ${handle.workflowId} (${formatCents(orderTotalCents(order.items))}) on "${taskQueue}"`
      : `${handle.workflowId} is already running: following it instead of starting it again.`,
  );
  const ui = await webUiUrl(options.address);
  if (ui) console.log(`Web UI: ${workflowUrl(ui, options.namespace, handle.workflowId)}`);

  if (LESSONS[lesson].children.length === 0) {
    // One workflow, no children (lesson 02): its result, or the failure's cause chain.
    const outcome = await follow<Result02>(client, handle, orderOutcome<Result02>(handle), { taskQueue, lesson });
    if (outcome.kind === 'stuck') return reportStuck(outcome, lesson, order.orderId, ledger);
    if (outcome.kind === 'completed') {
      const r = outcome.result;
      console.log(
        `Completed: charged ${formatCents(r.totalCents)} (${r.chargeId}), shipping quote ${formatCents(r.shippingCents)}, tracking ${r.trackingNumber}`,
      );
    } else if (outcome.kind === 'failed') {
      console.log('Failed. The .cause chain, top (where) to bottom (what):');
      outcome.chain.forEach((link, i) => {
        console.log(`  ${'  '.repeat(i)}${link.name}${link.type ? ` [${link.type}]` : ''}: ${link.message}`);
      });
    } else {
      console.log(`Cancelled: ${outcome.message}`);
    }
    printAudit(ledger);
    return outcome.kind === 'completed' ? 0 : 1;
  }

  // A parent with children (lessons 06 and 07 end the same way: 07 runs the same children, two at once).
  const outcome = await follow<ParentResult>(client, handle, orderOutcome<ParentResult>(handle), {
    taskQueue,
    lesson,
    status: (h) => h.query<OrderStatus>('status'),
  });
  if (outcome.kind === 'stuck') return reportStuck(outcome, lesson, order.orderId, ledger);
  if (outcome.kind === 'completed') {
    const warnings = outcome.result.warnings;
    console.log(
      `Completed: tracking ${outcome.result.trackingNumber}${warnings.length ? `; warnings: ${warnings.join('; ')}` : ''}`,
    );
  } else if (outcome.kind === 'failed') {
    // An undo that failed for good says why: a person has to finish it.
    const undone = (outcome.result?.compensations ?? [])
      .map((c) => `${c.name} (${c.outcome}${c.outcome === 'failed' && c.lastError ? `: ${c.lastError}` : ''})`)
      .join(', ');
    console.log(`Failed: ${outcome.message}`);
    console.log(`  compensations: ${undone || 'none'}`);
  } else {
    console.log(`Cancelled: ${outcome.message}`);
  }
  printAudit(ledger);
  return outcome.kind === 'completed' ? 0 : 1;
}

/** One line: what is stuck and why, the fix, and how to follow the order again. */
function reportStuck(stuck: Stuck, lesson: LessonId, orderId: string, ledger: Ledger): number {
  console.log(
    `Stuck: ${stuck.line} The order stays Running; once the worker runs fixed code, ` +
      `\`npm run client -- --lesson ${lesson} --order ${orderId}\` follows it again.`,
  );
  printAudit(ledger);
  return 1;
}

runMain(main);
