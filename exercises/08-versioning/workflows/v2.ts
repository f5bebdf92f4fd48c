/**
 * Build v2: the business changes the order flow. A fraud check runs before anything is charged, and
 * the stock is reserved before the card is charged (an order we cannot ship is never charged).
 *
 * Orders started on v1 are still running when v2 is deployed, and v2 replays their histories. Their
 * history says "charge" right after "validate"; the new code would say "check fraud": a non-determinism
 * error, and the order stops. patched('fraud-check') tells the two apart: on replay of a history
 * recorded without the patch it returns false (the old path); everywhere else it returns true and
 * records a marker in the history, so every later replay of this order takes the new path again.
 */
import type { Order } from '../../../services/orders';
import type { OrderResult } from '../shared';
import { OrderFlow } from './flow';

export async function orderFlowWorkflow(order: Order): Promise<OrderResult> {
  const flow = new OrderFlow(order);
  return flow.run(async () => {
    await flow.validate();
    // TODO Part B: this is the change as first written: v1's steps edited in place, with nothing to tell the
    //   orders started on v1 from new ones. Deployed while a v1 order is in flight, it stops that order with a
    //   non-determinism error (its history says "chargePayment" where this code says "checkFraud").
    //   Put the change behind the patch: if (patched('fraud-check')) { …the five lines below… } and after that
    //   block keep v1's path, unchanged, for the orders started on v1 (replaying a history recorded without
    //   the patch, patched() returns false):
    //     const charge = await flow.charge(); const reservation = await flow.reserve();
    //     const shipment = await flow.ship(reservation);
    //     return flow.completed({ charge, reservation, shipment, fraudRiskScore: null });
    const fraudRiskScore = await flow.checkFraud();
    const reservation = await flow.reserve();
    const charge = await flow.charge();
    const shipment = await flow.ship(reservation);
    return flow.completed({ charge, reservation, shipment, fraudRiskScore });
    // END TODO Part B
  });
}
