/**
 * The parent: ParallelFulfillmentWorkflow, lesson 06's saga with its children in parallel where the
 * data allows it. Payment and inventory need nothing from each other, so they start together (the
 * fan-out); shipping needs the reserved item count and a charge that went through, so it waits for
 * both (the join); notification needs the tracking number, so it comes last.
 *
 * Both undos are registered before either child starts. When one branch fails, ./fan-out cancels the
 * other and waits until it has settled; only then does the saga run the undos, newest first, so a
 * reservation still in flight when the card was declined is released after it lands, not before.
 */
import { defineQuery, executeChild, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import { assertOrderShape, rootCauseMessage } from '../../../common/failures';
import { orderTotalCents, type Order } from '../../../services/orders';
import type { Activities } from '../activities';
import { childWorkflowId, type OrderResult, type OrderStatus } from '../shared';
import { fanOut } from './fan-out';
import { inventoryWorkflow } from './inventory';
import { notificationWorkflow } from './notification';
import { COMPENSATION_OPTIONS, STEP_OPTIONS } from './options';
import { paymentWorkflow } from './payment';
import { OrderProgress } from './progress';
import { Saga } from './saga';
import { shippingWorkflow } from './shipping';

const { validateOrder } = proxyActivities<Activities>(STEP_OPTIONS);
const { refundPayment, releaseInventory, cancelShipment } = proxyActivities<Activities>(COMPENSATION_OPTIONS);

/** The same `status` query as every lesson-06 workflow, answering with lesson 07's parent states. */
export const orderStatusQuery = defineQuery<OrderStatus>('status');

export async function parallelFulfillmentWorkflow(order: Order): Promise<OrderResult> {
  assertOrderShape(order);
  const { orderId } = order;
  const progress = new OrderProgress(orderId);
  // Answer `status` from the first moment, before anything awaits: a query can arrive at any time.
  setHandler(orderStatusQuery, () => progress.status);

  const saga = new Saga(progress);
  try {
    // An invalid order is a business error: it fails here, before anything is charged or reserved.
    await validateOrder({ idempotencyKey: `validate-${orderId}`, order });
    // The total is workflow logic: a pure function of the order, the same on every replay.
    const totalCents = orderTotalCents(order.items);
    progress.setTotal(totalCents);

    const paymentId = childWorkflowId('payment', orderId);
    const inventoryId = childWorkflowId('inventory', orderId);
    // Both undos before either child starts: once they run side by side, either can land first, and
    // either can half-succeed (the card charged, then the call times out).
    saga.addUndo('refund payment', 'payment', async () => {
      const receipt = await refundPayment({ idempotencyKey: `refund-${paymentId}`, orderId, chargeKey: paymentId });
      return receipt.refunded;
    });
    saga.addUndo('release inventory', 'inventory', async () => {
      const receipt = await releaseInventory({
        idempotencyKey: `release-${inventoryId}`,
        orderId,
        reservationKey: inventoryId,
      });
      return receipt.released;
    });
    // The fan-out: both children start now. If one fails, fanOut cancels the other and waits until
    // it has settled before it throws.
    const [, reservation] = await fanOut(
      () =>
        progress.runChild('payment', () =>
          executeChild(paymentWorkflow, {
            workflowId: paymentId,
            args: [{ orderId, amountCents: totalCents, paymentToken: order.paymentToken }],
          }),
        ),
      () =>
        progress.runChild('inventory', () =>
          executeChild(inventoryWorkflow, {
            workflowId: inventoryId,
            args: [{ orderId, items: order.items.map(({ sku, quantity }) => ({ sku, quantity })) }],
          }),
        ),
    );

    // The join: here the card is charged and the stock reserved. Shipping needs both.
    const shippingId = childWorkflowId('shipping', orderId);
    saga.addUndo('cancel shipment', 'shipping', async () => {
      const receipt = await cancelShipment({
        idempotencyKey: `cancel-${shippingId}`,
        orderId,
        shipmentKey: shippingId,
      });
      return receipt.cancelled;
    });
    const shipment = await progress.runChild('shipping', () =>
      executeChild(shippingWorkflow, {
        workflowId: shippingId,
        args: [{ orderId, address: order.customer.address, itemCount: reservation.itemCount }],
      }),
    );

    // The goods are on their way: a failed email must not undo that. Record it and move on.
    try {
      await progress.runChild('notification', () =>
        executeChild(notificationWorkflow, {
          workflowId: childWorkflowId('notification', orderId),
          args: [{ orderId, email: order.customer.email, trackingNumber: shipment.trackingNumber }],
        }),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      progress.warn(`confirmation email not sent: ${rootCauseMessage(err)}`);
    }

    return progress.completed(shipment.trackingNumber);
  } catch (err) {
    await saga.compensate();
    throw progress.failed(err);
  }
}
