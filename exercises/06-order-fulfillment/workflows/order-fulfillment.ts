/**
 * The parent: OrderFulfillmentWorkflow, a saga. It checks the order, then runs four child workflows
 * strictly in order: payment → inventory → shipping → notification. Before each step it registers
 * that step's undo; when a step fails, or the order is cancelled, it runs the undos newest first.
 *
 * The bookkeeping (the `status` the query answers, the result) lives in ./progress, the way undos are
 * run in ./saga, so this function reads as the business process it is.
 */
import { ApplicationFailure, executeChild, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
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
  // TODO Part D: answer the `status` query with the parent's status object (it lists every child's state),
  //   here, before anything awaits: setHandler(orderStatusQuery, () => progress.status)
  // END TODO Part D

  const saga = new Saga(progress);
  try {
    // An invalid order is a business error: it fails here, before anything is charged or reserved.
    await validateOrder({ idempotencyKey: `validate-${orderId}`, order });
    // The total is workflow logic: a pure function of the order, the same on every replay.
    const totalCents = orderTotalCents(order.items);
    progress.setTotal(totalCents);

    // TODO Part B: run the four children strictly in order, each with its own workflow ID, awaiting each
    //   one before starting the next:
    //     const paymentId = childWorkflowId('payment', orderId);
    //     await progress.runChild('payment', () => executeChild(paymentWorkflow, { workflowId: paymentId, args: [{ … }] }));
    //   then inventory (items: sku and quantity), shipping (the customer's address and the reserved item
    //   count) and notification (email and the tracking number). Finish with:
    //     return progress.completed(shipment.trackingNumber);
    // TODO Part C: before each step, register its undo with saga.addUndo(name, child, undo):
    //   'refund payment' (refundPayment with chargeKey paymentId, resolving to receipt.refunded),
    //   'release inventory' (releaseInventory with reservationKey inventoryId → receipt.released),
    //   'cancel shipment' (cancelShipment with shipmentKey shippingId → receipt.cancelled).
    //   Registering before the step matters: a charge can land even when the call then times out.
    //   A failed notification must not fail the order: catch it, progress.warn(…), carry on.
    throw ApplicationFailure.nonRetryable('TODO Part B: the parent does not run its children yet', 'NotImplemented');
    // END TODO Part B
  } catch (err) {
    // TODO Part C: undo what was done: await saga.compensate() runs the registered undos newest first,
    //   non-cancellably, round after round until each is done (read ./saga.ts to see how).
    // END TODO Part C
    throw progress.failed(err);
  }
}
