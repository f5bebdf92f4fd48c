/**
 * The re-run case's own driving: the orders fail at shipping; then each is started again through lesson
 * 06's client (refused: the order ID already ran) and then bypassing it (a raw start that allows a
 * duplicate ID), which must fail at payment because the charge it would reuse was refunded.
 */
import { OrderAlreadyRanError } from '../../common/client';
import { fulfillmentOutcome, startOrder } from '../../solution/06-order-fulfillment/client';
import { orderWorkflowId } from '../../solution/06-order-fulfillment/shared';
import type { RunContext } from './case';

/** Drives one run of the re-run case; returns how each order's first run ended, by workflow ID. */
export async function driveRerun(run: RunContext): Promise<Map<string, string>> {
  const handles = await Promise.all(run.orders.map((o) => startOrder(run.client, o, run.taskQueue)));
  const outcomes = await Promise.all(handles.map(({ handle }) => fulfillmentOutcome(handle)));
  const statuses = new Map(
    run.orders.map((o, i) => [orderWorkflowId(o.orderId), outcomes[i].kind.toUpperCase()] as [string, string]),
  );
  run.log(`first runs: ${[...statuses.values()].filter((s) => s === 'FAILED').length} failed; re-running each ID`);
  let refused = 0;
  for (const order of run.orders) {
    const error = await startOrder(run.client, order, run.taskQueue).then(
      () => undefined,
      (err: unknown) => err,
    );
    if (error instanceof OrderAlreadyRanError) refused++;
  }
  const reruns = await Promise.all(
    run.orders.map(async (order) => {
      const handle = await run.client.workflow.start('orderFulfillmentWorkflow', {
        taskQueue: run.taskQueue,
        workflowId: orderWorkflowId(order.orderId),
        args: [order],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      const outcome = await fulfillmentOutcome(handle);
      return (
        outcome.kind === 'failed' &&
        outcome.message.includes('failed at payment') &&
        outcome.chain.some((link) => link.type === 'AlreadyUndone')
      );
    }),
  );
  const alreadyUndone = reruns.filter(Boolean).length;
  run.log(`client refused ${refused}/${run.orders.length}; raw re-runs failed with AlreadyUndone ${alreadyUndone}`);
  run.counts.refused = refused;
  run.counts.alreadyUndone = alreadyUndone;
  return statuses;
}
