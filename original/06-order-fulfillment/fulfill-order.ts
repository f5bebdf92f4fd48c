/**
 * BEFORE: the order-fulfillment monolith.
 *
 * One function does payment → inventory → shipping → notification in a row. It works on a good
 * day. On a bad day a step fails half-way and the function just logs a warning and gives up:
 * nothing that already happened is undone, nothing is retried, and if the process dies mid-way
 * nobody even knows where it stopped. Read it, run `npm run original`, and look at the audit.
 *
 * Problems to spot (lesson 06 fixes each one):
 *   1. No retries: one timeout from the carrier fails the whole order.
 *   2. No compensation: the customer stays charged and the stock stays locked.
 *   3. No durable state: a crash between two steps loses track of the order.
 *   4. No visibility: the only record of what happened is a log line.
 */
import type { OriginalOutcome } from '../../common/original-outcome';
import { formatCents, itemCount, Order, orderTotalCents, Services } from '../../services';

export type StepName = 'payment' | 'inventory' | 'shipping' | 'notification';

export type OrderOutcome = OriginalOutcome<StepName>;

export async function fulfillOrder(
  order: Order,
  services: Services,
  logger: Pick<Console, 'warn'> = console,
): Promise<OrderOutcome> {
  const steps: OrderOutcome['steps'] = [];
  const total = orderTotalCents(order.items);
  let step: StepName = 'payment';
  try {
    const charge = await services.payment.charge({
      idempotencyKey: `payment-${order.orderId}`,
      orderId: order.orderId,
      amountCents: total,
      paymentToken: order.paymentToken,
    });
    steps.push({ step, ok: true, detail: `${formatCents(charge.amountCents)} charged` });

    step = 'inventory';
    const reservation = await services.inventory.reserve({
      idempotencyKey: `inventory-${order.orderId}`,
      orderId: order.orderId,
      items: order.items,
    });
    steps.push({
      step,
      ok: true,
      detail: `${order.items.length} item${order.items.length === 1 ? '' : 's'} locked, ${reservation.itemCount} unit${reservation.itemCount === 1 ? '' : 's'}`,
    });

    step = 'shipping';
    const shipment = await services.shipping.arrange({
      idempotencyKey: `shipping-${order.orderId}`,
      orderId: order.orderId,
      address: order.customer.address,
      itemCount: itemCount(order.items),
    });
    steps.push({ step, ok: true, detail: `tracking ${shipment.trackingNumber}` });

    step = 'notification';
    await services.mailer.sendConfirmation({
      idempotencyKey: `notification-${order.orderId}`,
      orderId: order.orderId,
      email: order.customer.email,
      trackingNumber: shipment.trackingNumber,
    });
    steps.push({ step, ok: true, detail: `email to ${order.customer.email}` });
    return { orderId: order.orderId, status: 'completed', steps };
  } catch (err) {
    // ⚠️ The whole error strategy: log it and move on. Whatever already happened stays happened.
    const message = err instanceof Error ? err.message : String(err);
    logger.warn(`[${order.orderId}] ${step} failed: ${message}`);
    steps.push({ step, ok: false, detail: message });
    return { orderId: order.orderId, status: 'failed', steps, error: message };
  }
}

/** The entry point `npm run original` and the grader use for every lesson's monolith. */
export const runOrder = fulfillOrder;
