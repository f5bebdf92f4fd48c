/**
 * The client of lesson 03: starts SagaFanOutWorkflow for one order, prints its `status` every time it
 * changes (each warehouse's branch, the undos), then how the order ended. Run a worker first:
 *
 *   npx ts-node solution/03-saga-fan-out/client.ts ORDER-005
 *
 * It starts the workflow by its function (`client.workflow.start(sagaFanOutWorkflow, …)`), and asks for
 * `status` through the query the workflow defines (`handle.query(statusQuery)`), so the compiler checks
 * the order it sends and the status it reads. (`npm run client -- --lesson 03` starts the same workflow
 * by name and prints the ledger audit after it.)
 */
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { runMain } from '../../common/cli';
import { orderOutcome, OrderAlreadyRanError, type OrderOutcome } from '../../common/client';
import { connectClient } from '../../common/connection';
import { sampleOrder, type Order } from '../../services/orders';
import { orderWorkflowId, TASK_QUEUE, type OrderResult, type OrderStatus } from './shared';
import { sagaFanOutWorkflow, statusQuery } from './workflows';

export type OrderHandle = WorkflowHandle<typeof sagaFanOutWorkflow>;

/**
 * Starts the workflow for `order`, or follows it when that order is still running. An order ID runs
 * once: one that already ended is refused (OrderAlreadyRanError), so a re-run never reuses its charge.
 */
export async function startOrder(
  client: Client,
  order: Order,
  taskQueue = TASK_QUEUE,
): Promise<{ handle: OrderHandle; started: boolean }> {
  const workflowId = orderWorkflowId(order.orderId);
  try {
    const handle = await client.workflow.start(sagaFanOutWorkflow, {
      taskQueue,
      workflowId,
      args: [order],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
    return { handle, started: true };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const handle = client.workflow.getHandle<typeof sagaFanOutWorkflow>(workflowId);
    const status = (await handle.describe()).status.name;
    if (status === 'RUNNING') return { handle, started: false };
    throw new OrderAlreadyRanError(workflowId, status);
  }
}

/** The workflow's answer to `status`, typed by the query's definition. */
export function queryStatus(handle: OrderHandle): Promise<OrderStatus> {
  return handle.query(statusQuery);
}

/** `RESERVING    east=RESERVED west=RESERVING`, then any undo that keeps failing. */
export function describeStatus(status: OrderStatus): string {
  const branches = status.reservations.map((b) => `${b.warehouse}=${b.state}`).join(' ');
  // An undo not tried yet is just waiting its turn; one that has failed at least once is worth a line.
  const undos = status.compensations
    .filter((c) => (c.outcome === 'retrying' && c.attempts > 0) || c.outcome === 'failed')
    .map((c) => `${c.name}: ${c.outcome}${c.lastError ? ` (${c.lastError})` : ''}`);
  return [`${status.state.padEnd(12)} ${branches}`, ...undos].join('\n    ');
}

/** How the order ended: its result, or the failure with the result in its details. */
export function sagaOutcome(handle: OrderHandle): Promise<OrderOutcome<OrderResult>> {
  return orderOutcome<OrderResult>(handle);
}

/** Prints each new `status` while the order runs; resolves with how it ended. */
export async function follow(handle: OrderHandle, print: (line: string) => void = console.log) {
  const outcome = sagaOutcome(handle);
  let finished = false;
  void outcome.finally(() => (finished = true));
  let last = '';
  while (!finished) {
    try {
      const line = describeStatus(await queryStatus(handle));
      if (line !== last) print(`  ${line}`);
      last = line;
    } catch {
      // No worker has picked the order up yet, or it has just ended.
    }
    await Promise.race([outcome, new Promise((resolve) => setTimeout(resolve, 100))]);
  }
  return outcome;
}

if (require.main === module) {
  runMain(async () => {
    const orderId = process.argv[2] ?? 'ORDER-001';
    const client = await connectClient();
    try {
      // The same settings as the worker: TASK_QUEUE when set, else the lesson's task queue.
      const taskQueue = process.env.TASK_QUEUE?.trim() || TASK_QUEUE;
      const { handle, started } = await startOrder(client, sampleOrder(orderId), taskQueue);
      console.log(`${started ? 'Started' : 'Following'} ${handle.workflowId} on "${taskQueue}"`);
      const outcome = await follow(handle);
      if (outcome.kind === 'completed') {
        console.log(`Completed: tracking ${outcome.result.trackingNumber}`);
      } else if (outcome.kind === 'failed') {
        const undos = (outcome.result?.compensations ?? []).map((c) => `${c.name} (${c.outcome})`).join(', ');
        console.log(`Failed: ${outcome.message}`);
        console.log(`  compensations: ${undos || 'none'}`);
      } else {
        console.log(`Cancelled: ${outcome.message}`);
      }
      return outcome.kind === 'completed' ? 0 : 1;
    } finally {
      await client.connection.close();
    }
  });
}
