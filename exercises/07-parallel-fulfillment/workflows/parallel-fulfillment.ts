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
import {
  ApplicationFailure,
  defineQuery,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
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
  // TODO Part D: answer the `status` query with the parent's status object, here, before anything awaits:
  //   setHandler(orderStatusQuery, () => progress.status). progress.runChild keeps each child's state in it,
  //   so while the fan-out runs the answer lists payment and inventory as RUNNING at the same time.
  // END TODO Part D

  const saga = new Saga(progress);
  try {
    // An invalid order is a business error: it fails here, before anything is charged or reserved.
    await validateOrder({ idempotencyKey: `validate-${orderId}`, order });
    // The total is workflow logic: a pure function of the order, the same on every replay.
    const totalCents = orderTotalCents(order.items);
    progress.setTotal(totalCents);

    const paymentId = childWorkflowId('payment', orderId);
    const inventoryId = childWorkflowId('inventory', orderId);
    // TODO Part A: run payment and inventory at the same time. Below is lesson 06's way, one after the other:
    //   inventory waits for a charge it does not need. Turn it into a fan-out:
    //   1. register BOTH undos first ('refund payment', then 'release inventory'), before either child starts:
    //      side by side, either can land first, and either can half-succeed;
    //   2. then start both children at once and wait for both, with fanOut from ./fan-out:
    //        const [, reservation] = await fanOut(
    //          () => progress.runChild('payment', () => executeChild(paymentWorkflow, { … })),
    //          () => progress.runChild('inventory', () => executeChild(inventoryWorkflow, { … })),
    //        );
    //   Each branch is a function that starts its child: fanOut calls them all before it awaits any.
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
    // END TODO Part A

    // The join: here the card is charged and the stock reserved. Shipping needs both.
    // TODO Part B: only now may the goods go:
    //   1. shipping: const shippingId = childWorkflowId('shipping', orderId); register 'cancel shipment'
    //      (cancelShipment with shipmentKey shippingId → receipt.cancelled), then const shipment = await progress.runChild('shipping', () => executeChild(shippingWorkflow, …))
    //      with workflowId childWorkflowId('shipping', orderId), the customer's address and the reserved
    //      item count (reservation.itemCount);
    //   2. notification after shipping (email and shipment.trackingNumber). The goods are on their way by
    //      then, so a failed email must not fail the order: catch it (rethrow a cancellation, isCancellation),
    //      progress.warn(`confirmation email not sent: ${rootCauseMessage(err)}`) and carry on;
    //   3. return progress.completed(shipment.trackingNumber).
    throw ApplicationFailure.nonRetryable(
      `TODO Part B: shipping and notification are not written yet (${reservation.itemCount} items reserved)`,
      'NotImplemented',
    );
    // END TODO Part B
  } catch (err) {
    // TODO Part C: undo what was done: await saga.compensate() runs the registered undos newest first,
    //   non-cancellably (read ./saga.ts). Then make the join in ./fan-out.ts wait for a branch that is still
    //   running, so that nothing lands after its undo ran.
    // END TODO Part C
    throw progress.failed(err);
  }
}
