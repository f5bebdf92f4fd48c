/**
 * The client of lesson 08: starts orders, says where each one is once it stops moving, and returns,
 * so they are still in flight when you deploy the next build.
 * `npx ts-node exercises/08-versioning/client.ts ORDER-001 ORDER-002` starts two sample orders;
 * `npm run client -- --lesson 08 --order ORDER-001` follows one to its end (and says so when its
 * workflow task keeps failing). Run a worker first.
 *
 * It starts the workflow by its function, `orderFlowWorkflow` from ./workflows (the default build): every
 * build registers that same name and takes the same order, so whichever build the worker runs takes it.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { runMain } from '../../common/cli';
import { checkOrderId, startOrderWorkflow } from '../../common/client';
import { connectClient } from '../../common/connection';
import { formatCents, orderTotalCents, sampleOrder, type Order } from '../../services/orders';
import { orderWorkflowId, TASK_QUEUE } from './shared';
import { orderFlowWorkflow } from './workflows';

export type OrderHandle = WorkflowHandle<typeof orderFlowWorkflow>;

/** Starts the workflow for `order`, or finds it when that order is still running. */
export function startOrder(client: Client, order: Order, taskQueue = TASK_QUEUE) {
  return startOrderWorkflow(client, orderFlowWorkflow, {
    workflowId: orderWorkflowId(order.orderId),
    taskQueue,
    order,
  });
}

/**
 * Where an order is once it has stopped moving: the step it waits on (the same activity pending for a
 * second: an order in flight), or how it ended. Gives up after `timeoutMs`.
 */
export async function whereIs(handle: OrderHandle, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let since = Date.now();
  for (;;) {
    const { status, raw } = await handle.describe();
    if (status.name !== 'RUNNING') return status.name.toLowerCase();
    const pending = raw.pendingActivities?.[0];
    const now = pending ? `in flight, ${pending.activityType?.name} (attempt ${pending.attempt ?? 1})` : '';
    if (now !== last) [last, since] = [now, Date.now()];
    else if (now && Date.now() - since >= 1_000) return now;
    if (Date.now() > deadline) return now || `running, no step in progress (is a worker polling "${TASK_QUEUE}"?)`;
    await sleep(200);
  }
}

if (require.main === module) {
  runMain(async () => {
    // The same rule as `npm run client -- --order`, checked before anything connects or starts.
    const orderIds = (process.argv.length > 2 ? process.argv.slice(2) : ['ORDER-001']).map((id) => checkOrderId(id));
    const client = await connectClient();
    try {
      // The same settings as the worker: TASK_QUEUE when set, else the lesson's task queue.
      const taskQueue = process.env.TASK_QUEUE?.trim() || TASK_QUEUE;
      const handles: OrderHandle[] = [];
      for (const orderId of orderIds) {
        const order = sampleOrder(orderId);
        const { handle, started } = await startOrder(client, order, taskQueue);
        handles.push(handle);
        console.log(
          started
            ? `Started ${handle.workflowId} (${formatCents(orderTotalCents(order.items))}) on "${taskQueue}"`
            : `${handle.workflowId} is already running`,
        );
      }
      for (const [i, where] of (await Promise.all(handles.map((h) => whereIs(h)))).entries())
        console.log(`${handles[i].workflowId}: ${where}`);
      console.log(`Follow one with: npm run client -- --lesson 08 --order ${orderIds[0]}`);
    } finally {
      await client.connection.close();
    }
  });
}
