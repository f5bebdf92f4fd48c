/**
 * OrderProcessingWorkflow: the original's six steps as one workflow. The four steps that talk to
 * the outside world are activities, run strictly in order (validate → payment → inventory →
 * shipment) with the retry policy in ./options; the total and the shipping quote are plain
 * workflow code (see shared.ts for why).
 */
import { ApplicationFailure, isCancellation, proxyActivities } from '@temporalio/workflow';
import { assertOrderShape, orderFailed, rootCauseMessage } from '../../../common/failures';
import { orderTotalCents, type Order } from '../../../services/orders';
import type { Activities } from '../activities';
import { idempotencyKey, shippingQuote, type OrderFailureDetails, type OrderResult, type Step } from '../shared';
import { ACTIVITY_OPTIONS } from './options';

const { validateOrder, chargePayment, reserveInventory, arrangeShipment } =
  proxyActivities<Activities>(ACTIVITY_OPTIONS);

export async function orderProcessingWorkflow(order: Order): Promise<OrderResult> {
  assertOrderShape(order);
  const { orderId } = order;
  let step: Step = 'validate';
  try {
    // TODO Part C: run the four activities strictly in order, awaiting each one, and return the OrderResult:
    //   1. await validateOrder({ idempotencyKey: idempotencyKey('validate', orderId), order })
    //   2. totalCents = orderTotalCents(order.items)                     (workflow logic: the one home of the total)
    //   3. step = 'payment';   const charge = await chargePayment({ idempotencyKey, orderId, amountCents: totalCents, paymentToken })
    //   4. step = 'inventory'; const reservation = await reserveInventory({ idempotencyKey, orderId, items: sku and quantity only })
    //   5. shippingCents = shippingQuote(order.items)                    (workflow logic, Part B)
    //   6. step = 'shipping';  const shipment = await arrangeShipment({ idempotencyKey, orderId, address, itemCount: reservation.itemCount })
    //   7. return { orderId, status: 'COMPLETED', totalCents, shippingCents, chargeId, reservationId, trackingNumber }
    //   Every call gets idempotencyKey(step, orderId), so a retried step never charges or ships twice.
    throw ApplicationFailure.nonRetryable(
      'TODO Part C: the workflow does not run its activities yet',
      'NotImplemented',
    );
    // END TODO Part C
  } catch (err) {
    if (isCancellation(err)) throw err; // a cancelled order ends as cancelled, not failed
    // Say *where* it failed on top; the `.cause` chain below keeps *what* failed (the activity's
    // ApplicationFailure, e.g. CardDeclined). Nothing is undone here: a charge made before a failed
    // shipment stays charged. That is the problem lesson 06 solves with compensations.
    const details: OrderFailureDetails = { orderId, status: 'FAILED', error: `${step}: ${rootCauseMessage(err)}` };
    throw orderFailed(orderId, step, err, details);
  }
}
