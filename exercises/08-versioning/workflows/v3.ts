/**
 * Build v3: no order started on v1 is open any more (no open order lacks the `fraud-check` marker), so
 * the old path can go. deprecatePatch('fraud-check') keeps replaying the orders v2 started (their
 * history has the marker) and records the marker for new orders too, so v2 workers can still run
 * beside this build. Deploy it only when no v1 order is open: v3 would fail on their histories.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { Order } from '../../../services/orders';
import type { OrderResult } from '../shared';

export async function orderFlowWorkflow(order: Order): Promise<OrderResult> {
  // TODO Part C: build v3, for when no order started on v1 is open any more. Write the new path only (v2's
  //   if-branch: validate, checkFraud, reserve, charge, ship, as in v2), and call deprecatePatch('fraud-check')
  //   where v2 called patched('fraud-check'): v3 then still replays the orders v2 started (their history has
  //   the marker) and records the marker itself, so v2 workers may run beside it. It cannot replay an order
  //   started on v1: deploy it only when none is open.
  throw ApplicationFailure.nonRetryable(
    `TODO Part C: build v3 is not written yet (order ${order.orderId})`,
    'NotImplemented',
  );
  // END TODO Part C
}
