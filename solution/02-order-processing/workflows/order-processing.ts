/**
 * OrderProcessingWorkflow: the original's six steps as one workflow. The four steps that talk to
 * the outside world are activities, run strictly in order (validate → payment → inventory →
 * shipment) with the retry policy in ./options; the total and the shipping quote are plain
 * workflow code (see shared.ts for why).
 */
import { isCancellation, proxyActivities } from '@temporalio/workflow';
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
    await validateOrder({ idempotencyKey: idempotencyKey('validate', orderId), order });

    // Workflow logic: deterministic, no I/O, nothing to retry, no history entries.
    const totalCents = orderTotalCents(order.items);

    step = 'payment';
    const charge = await chargePayment({
      idempotencyKey: idempotencyKey('payment', orderId),
      orderId,
      amountCents: totalCents,
      paymentToken: order.paymentToken,
    });

    step = 'inventory';
    const reservation = await reserveInventory({
      idempotencyKey: idempotencyKey('inventory', orderId),
      orderId,
      items: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
    });

    // Workflow logic too: the same inputs always give the same quote.
    const shippingCents = shippingQuote(order.items);

    step = 'shipping';
    const shipment = await arrangeShipment({
      idempotencyKey: idempotencyKey('shipping', orderId),
      orderId,
      address: order.customer.address,
      itemCount: reservation.itemCount,
    });

    return {
      orderId,
      status: 'COMPLETED',
      totalCents,
      shippingCents,
      chargeId: charge.chargeId,
      reservationId: reservation.reservationId,
      trackingNumber: shipment.trackingNumber,
    };
  } catch (err) {
    if (isCancellation(err)) throw err; // a cancelled order ends as cancelled, not failed
    // Say *where* it failed on top; the `.cause` chain below keeps *what* failed (the activity's
    // ApplicationFailure, e.g. CardDeclined). Nothing is undone here: a charge made before a failed
    // shipment stays charged. That is the problem lesson 06 solves with compensations.
    const details: OrderFailureDetails = { orderId, status: 'FAILED', error: `${step}: ${rootCauseMessage(err)}` };
    throw orderFailed(orderId, step, err, details);
  }
}
