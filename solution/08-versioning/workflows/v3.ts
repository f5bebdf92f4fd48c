/**
 * Build v3: no order started on v1 is open any more (no open order lacks the `fraud-check` marker), so
 * the old path can go. deprecatePatch('fraud-check') keeps replaying the orders v2 started (their
 * history has the marker) and records the marker for new orders too, so v2 workers can still run
 * beside this build. Deploy it only when no v1 order is open: v3 would fail on their histories.
 */
import { deprecatePatch } from '@temporalio/workflow';
import type { Order } from '../../../services/orders';
import type { OrderResult } from '../shared';
import { OrderFlow } from './flow';

export async function orderFlowWorkflow(order: Order): Promise<OrderResult> {
  const flow = new OrderFlow(order);
  return flow.run(async () => {
    await flow.validate();
    deprecatePatch('fraud-check');
    const fraudRiskScore = await flow.checkFraud();
    const reservation = await flow.reserve();
    const charge = await flow.charge();
    const shipment = await flow.ship(reservation);
    return flow.completed({ charge, reservation, shipment, fraudRiskScore });
  });
}
