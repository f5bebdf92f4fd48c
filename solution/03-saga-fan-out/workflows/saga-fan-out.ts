/**
 * SagaFanOutWorkflow: the original checkout as one workflow of activities.
 *
 *   validate → charge → reserve at every warehouse the order needs, all at once (fan-out), and wait
 *   for all of them (fan-in) → ship → email the customer.
 *
 * Every undo is registered before its step, so a step that half-succeeded is undone too. When a step
 * fails for good, the saga undoes what was done, newest first; when one warehouse fails, ./fan-out
 * cancels the others and waits until each has settled, so a reservation still in flight is released
 * after it lands, not before. The email goes last: the customer hears "has shipped" only once it has.
 */
import { defineQuery, isCancellation, proxyActivities, setHandler } from '@temporalio/workflow';
import { assertOrderShape, rootCauseMessage } from '../../../common/failures';
import { orderTotalCents, type Order } from '../../../services/orders';
import { splitByWarehouse } from '../../../services/warehouses';
import type { Activities } from '../activities';
import { reservationKey, shippingQuote, stepKey, undoKey, type OrderResult, type OrderStatus } from '../shared';
import { fanOut } from './fan-out';
import { COMPENSATION_OPTIONS, STEP_OPTIONS } from './options';
import { OrderProgress } from './progress';
import { Saga } from './saga';

const { validateOrder, chargePayment, reserveAtWarehouse, arrangeShipment, sendConfirmation } =
  proxyActivities<Activities>(STEP_OPTIONS);
const { refundPayment, releaseAtWarehouse, cancelShipment } = proxyActivities<Activities>(COMPENSATION_OPTIONS);

/** The order's state, each step's and each warehouse's: `client.ts` asks for it while the order runs. */
export const statusQuery = defineQuery<OrderStatus>('status');

export async function sagaFanOutWorkflow(order: Order): Promise<OrderResult> {
  assertOrderShape(order);
  const { orderId } = order;
  const parcels = splitByWarehouse(order.items);
  const progress = new OrderProgress(orderId, parcels);
  // Answer `status` from the first moment, before anything awaits: a query can arrive at any time.
  setHandler(statusQuery, () => progress.status);

  const saga = new Saga(progress);
  try {
    // An invalid order is a business error: it fails here, before anything is charged or reserved.
    await progress.step('validate', () => validateOrder({ idempotencyKey: stepKey('validate', orderId), order }));
    // Workflow logic: pure functions of the order, the same on every replay.
    const totalCents = orderTotalCents(order.items);
    progress.setTotals(totalCents, shippingQuote(order.items));

    const paymentKey = stepKey('payment', orderId);
    // The refund before the charge: the charge can land and its call still fail (a timeout).
    saga.addUndo('refund payment', 'payment', async () => {
      const receipt = await refundPayment({
        idempotencyKey: undoKey('refund', paymentKey),
        orderId,
        chargeKey: paymentKey,
      });
      return receipt.refunded;
    });
    await progress.step('payment', () =>
      chargePayment({ idempotencyKey: paymentKey, orderId, amountCents: totalCents, paymentToken: order.paymentToken }),
    );

    // A release for every warehouse before any branch starts: side by side, any branch can land first,
    // and any can half-succeed.
    for (const { warehouse } of parcels) {
      const key = reservationKey(warehouse, orderId);
      saga.addUndo(`release ${warehouse}`, warehouse, async () => {
        const receipt = await releaseAtWarehouse({
          idempotencyKey: undoKey('release', key),
          orderId,
          reservationKey: key,
          warehouse,
        });
        return receipt.released;
      });
    }
    // The fan-out: one branch per warehouse, all started now. The fan-in: wait for every one. If one
    // fails, fanOut cancels the others and waits until they have settled before it throws.
    const reservations = await fanOut(
      parcels.map(
        ({ warehouse, items }) =>
          () =>
            progress.branch(warehouse, () =>
              reserveAtWarehouse({ idempotencyKey: reservationKey(warehouse, orderId), orderId, warehouse, items }),
            ),
      ),
    );
    const itemCount = reservations.reduce((sum, reservation) => sum + reservation.itemCount, 0);

    const shippingKey = stepKey('shipping', orderId);
    // The cancellation before the booking: the carrier can book and its call still fail.
    saga.addUndo('cancel shipment', 'shipping', async () => {
      const receipt = await cancelShipment({
        idempotencyKey: undoKey('cancel', shippingKey),
        orderId,
        shipmentKey: shippingKey,
      });
      return receipt.cancelled;
    });
    const shipment = await progress.step('shipping', () =>
      arrangeShipment({ idempotencyKey: shippingKey, orderId, address: order.customer.address, itemCount }),
    );

    // Last, once the parcel is booked. A failed email must not undo a shipped order: note it, go on.
    try {
      await progress.step('notification', () =>
        sendConfirmation({
          idempotencyKey: stepKey('notification', orderId),
          orderId,
          email: order.customer.email,
          trackingNumber: shipment.trackingNumber,
        }),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      progress.warn(`confirmation email not sent: ${rootCauseMessage(err)}`);
    }

    return progress.completed();
  } catch (err) {
    await saga.compensate();
    throw progress.failed(err);
  }
}
