/**
 * Build v4: no order started on v2 is open any more, so the patch is gone: the fraud check is simply
 * the flow. v4 replays what v3 recorded (a deprecated patch marker is skipped on replay).
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { Order } from '../../../services/orders';
import type { OrderResult } from '../shared';

export async function orderFlowWorkflow(order: Order): Promise<OrderResult> {
  // TODO Part C: build v4, for when no order started on v2 is open any more: v3 without the deprecatePatch
  //   call. It replays what v3 recorded (a deprecated patch marker is skipped on replay), but not what v2
  //   recorded (v2's marker is not deprecated): deploy it only when no order started on v2 is open.
  throw ApplicationFailure.nonRetryable(
    `TODO Part C: build v4 is not written yet (order ${order.orderId})`,
    'NotImplemented',
  );
  // END TODO Part C
}
