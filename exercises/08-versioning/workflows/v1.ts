/**
 * Build v1: the order flow running today. Validate, charge the card, reserve the stock, ship.
 * Orders started on this build stay in its history for as long as they run: every later build must
 * still replay them, command for command, until the last one has closed.
 */
import type { Order } from '../../../services/orders';
import type { OrderResult } from '../shared';
import { OrderFlow } from './flow';

export async function orderFlowWorkflow(order: Order): Promise<OrderResult> {
  const flow = new OrderFlow(order);
  return flow.run(async () => {
    await flow.validate();
    const charge = await flow.charge();
    const reservation = await flow.reserve();
    const shipment = await flow.ship(reservation);
    return flow.completed({ charge, reservation, shipment, fraudRiskScore: null });
  });
}
