/**
 * The parent: OrderFulfillmentWorkflow, a saga. It checks the order, then runs four child workflows
 * strictly in order: payment → inventory → shipping → notification. Before each step it registers
 * that step's undo; when a step fails, or the order is cancelled, it runs the undos newest first.
 *
 * The bookkeeping (the `status` the query answers, the result) lives in ./progress, the way undos are
 * run in ./saga, so this function reads as the business process it is.
 */
import { executeChild, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import { assertOrderShape, rootCauseMessage } from '../../../common/failures';
import { orderTotalCents, type Order } from '../../../services/orders';
import type { Activities } from '../activities';
import { childWorkflowId, type OrderResult } from '../shared';
import { inventoryWorkflow } from './inventory';
import { notificationWorkflow } from './notification';
import { COMPENSATION_OPTIONS, STEP_OPTIONS } from './options';
import { paymentWorkflow } from './payment';
import { OrderProgress } from './progress';
import { orderStatusQuery } from './queries';
import { Saga } from './saga';
import { shippingWorkflow } from './shipping';

const { validateOrder } = proxyActivities<Activities>(STEP_OPTIONS);
const { refundPayment, releaseInventory, cancelShipment } = proxyActivities<Activities>(COMPENSATION_OPTIONS);

export async function orderFulfillmentWorkflow(order: Order): Promise<OrderResult> {
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
    saga.addUndo('refund payment', 'payment', async () => {
      const receipt = await refundPayment({ idempotencyKey: `refund-${paymentId}`, orderId, chargeKey: paymentId });
      return receipt.refunded;
    });
    await progress.runChild('payment', () =>
      executeChild(paymentWorkflow, {
        workflowId: paymentId,
        args: [{ orderId, amountCents: totalCents, paymentToken: order.paymentToken }],
      }),
    );

    const inventoryId = childWorkflowId('inventory', orderId);
    saga.addUndo('release inventory', 'inventory', async () => {
      const receipt = await releaseInventory({
        idempotencyKey: `release-${inventoryId}`,
        orderId,
        reservationKey: inventoryId,
      });
      return receipt.released;
    });
    const reservation = await progress.runChild('inventory', () =>
      executeChild(inventoryWorkflow, {
        workflowId: inventoryId,
        args: [{ orderId, items: order.items.map(({ sku, quantity }) => ({ sku, quantity })) }],
      }),
    );

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
