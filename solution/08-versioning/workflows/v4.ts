/**
 * Build v4: no order started on v2 is open any more, so the patch is gone: the fraud check is simply
 * the flow. v4 replays what v3 recorded (a deprecated patch marker is skipped on replay).
 */
import type { Order } from '../../../services/orders';
import type { OrderResult } from '../shared';
import { OrderFlow } from './flow';

export async function orderFlowWorkflow(order: Order): Promise<OrderResult> {
  const flow = new OrderFlow(order);
  return flow.run(async () => {
    await flow.validate();
    const fraudRiskScore = await flow.checkFraud();
    const reservation = await flow.reserve();
    const charge = await flow.charge();
    const shipment = await flow.ship(reservation);
    return flow.completed({ charge, reservation, shipment, fraudRiskScore });
  });
}
