/**
 * The client of lesson 06: starts OrderFulfillmentWorkflow for one order and reads how it ended.
 * `npm run client -- --lesson 06` adds progress lines (the `status` query) and the ledger audit; on
 * its own, `npx ts-node solution/06-order-fulfillment/client.ts ORDER-002` starts one sample order.
 * Run a worker first.
 *
 * It starts the parent by its function (`orderFulfillmentWorkflow`), and asks for `status` through the
 * query the parent defines (`handle.query(orderStatusQuery)`), so the compiler checks the order it
 * sends, the result it reads and the status it gets back.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { runMain } from '../../common/cli';
import { checkOrderId, orderOutcome, startOrderWorkflow, type OrderOutcome } from '../../common/client';
import { connectClient } from '../../common/connection';
import { sampleOrder, type Order } from '../../services/orders';
import { orderWorkflowId, TASK_QUEUE, type OrderResult, type OrderStatus } from './shared';
import { orderFulfillmentWorkflow } from './workflows';
import { orderStatusQuery } from './workflows/queries';

export type OrderHandle = WorkflowHandle<typeof orderFulfillmentWorkflow>;

/** Starts the parent for `order`, or follows it when that order is still running. */
export function startOrder(client: Client, order: Order, taskQueue = TASK_QUEUE) {
  return startOrderWorkflow(client, orderFulfillmentWorkflow, {
    workflowId: orderWorkflowId(order.orderId),
    taskQueue,
    order,
  });
}

/** How the order ended: its result, or the failure with the result in its details. */
export function fulfillmentOutcome(handle: OrderHandle): Promise<OrderOutcome<OrderResult>> {
  return orderOutcome<OrderResult>(handle);
}

/** The parent's answer to `status`, typed by the query's definition. */
export function queryStatus(handle: OrderHandle): Promise<OrderStatus> {
  return handle.query(orderStatusQuery);
}

if (require.main === module) {
  runMain(async () => {
    // The same rule as `npm run client -- --order`, checked before anything connects or starts.
    const orderId = checkOrderId(process.argv[2] ?? 'ORDER-001');
    const client = await connectClient();
    try {
      // The same settings as the worker: TASK_QUEUE when set, else the lesson's task queue.
      const taskQueue = process.env.TASK_QUEUE?.trim() || TASK_QUEUE;
      const { handle } = await startOrder(client, sampleOrder(orderId), taskQueue);
      const outcome = await fulfillmentOutcome(handle);
      console.log(outcome.kind === 'completed' ? outcome.result : outcome);
      // A failed or cancelled order is not a success: exit code 1, as `npm run client` does.
      return outcome.kind === 'completed' ? 0 : 1;
    } finally {
      await client.connection.close();
    }
  });
}
