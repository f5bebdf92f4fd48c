/**
 * The client of lesson 02: starts OrderProcessingWorkflow for one order and reads how it ended.
 * `npm run client -- --lesson 02` prints the result, or a failure's whole `.cause` chain, and the
 * ledger audit; on its own, `npx ts-node solution/02-order-processing/client.ts ORDER-002` starts one
 * sample order. Run a worker first.
 *
 * It starts the workflow by its function (`orderProcessingWorkflow`), so the compiler checks the order
 * it sends and the result it reads.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { runMain } from '../../common/cli';
import { checkOrderId, orderOutcome, startOrderWorkflow, type OrderOutcome } from '../../common/client';
import { connectClient } from '../../common/connection';
import { sampleOrder, type Order } from '../../services/orders';
import { orderWorkflowId, TASK_QUEUE, type OrderResult } from './shared';
import { orderProcessingWorkflow } from './workflows';

export type OrderHandle = WorkflowHandle<typeof orderProcessingWorkflow>;

/** Starts the workflow for `order`, or follows it when that order is still running. */
export function startOrder(client: Client, order: Order, taskQueue = TASK_QUEUE) {
  return startOrderWorkflow(client, orderProcessingWorkflow, {
    workflowId: orderWorkflowId(order.orderId),
    taskQueue,
    order,
  });
}

/** How the order ended: its result, or the failure with its `.cause` chain. */
export function processingOutcome(handle: OrderHandle): Promise<OrderOutcome<OrderResult>> {
  return orderOutcome<OrderResult>(handle);
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
      const outcome = await processingOutcome(handle);
      console.log(outcome.kind === 'completed' ? outcome.result : outcome);
      // A failed or cancelled order is not a success: exit code 1, as `npm run client` does.
      return outcome.kind === 'completed' ? 0 : 1;
    } finally {
      await client.connection.close();
    }
  });
}
