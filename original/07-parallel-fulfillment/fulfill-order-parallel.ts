/**
 * BEFORE: the order-fulfillment monolith, made faster the obvious way.
 *
 * Payment and inventory do not need each other's result, so this version starts both at once with
 * `Promise.all`, then ships and emails as before. On a good day an order takes the time of the slower
 * of the two instead of their sum. On a bad day it is worse than the sequential monolith:
 * `Promise.all` rejects at the first failure and the function walks away from the other call.
 *   - the inventory system fails after the card was charged: the customer stays charged;
 *   - the card is declined while the reservation is still on its way: the reservation lands a moment
 *     later, after this function has already returned `failed`, and the stock stays locked for nobody.
 * Read it, run `npm run original -- --lesson 07` (try ORDER_LATENCY="inventory=400ms"), and look at
 * the audit.
 *
 * Problems to spot (lesson 07 fixes each one):
 *   1. No retries: one timeout fails the whole order.
 *   2. No compensation: a branch that succeeded is never undone.
 *   3. No waiting for the sibling: a call still in flight when the other fails lands unobserved.
 *   4. No durable state, no visibility: a crash mid-way loses the order; the only record is a log line.
 */
import type { OriginalOutcome } from '../../common/original-outcome';
import { formatCents, Order, orderTotalCents, Services } from '../../services';

export type StepName = 'payment' | 'inventory' | 'shipping' | 'notification';

export type OrderOutcome = OriginalOutcome<StepName>;

/** A failure that remembers which step it came from, so the log can say where the order broke. */
class StepFailed extends Error {
  constructor(
    readonly step: StepName,
    readonly original: unknown,
  ) {
    super(original instanceof Error ? original.message : String(original));
  }
}

function tagged<T>(step: StepName, work: Promise<T>): Promise<T> {
  return work.catch((err: unknown) => {
    throw new StepFailed(step, err);
  });
}

export async function fulfillOrderInParallel(
  order: Order,
  services: Services,
  logger: Pick<Console, 'warn'> = console,
): Promise<OrderOutcome> {
  const steps: OrderOutcome['steps'] = [];
  const total = orderTotalCents(order.items);
  let step: StepName = 'payment';
  try {
    // ⚠️ Both at once. If one rejects, Promise.all rejects at once too, and nobody waits for the other.
    const [, reservation] = await Promise.all([
      tagged(
        'payment',
        services.payment.charge({
          idempotencyKey: `payment-${order.orderId}`,
          orderId: order.orderId,
          amountCents: total,
          paymentToken: order.paymentToken,
        }),
      ).then((charge) => {
        steps.push({ step: 'payment', ok: true, detail: `${formatCents(charge.amountCents)} charged` });
        return charge;
      }),
      tagged(
        'inventory',
        services.inventory.reserve({
          idempotencyKey: `inventory-${order.orderId}`,
          orderId: order.orderId,
          items: order.items,
        }),
      ).then((held) => {
        steps.push({
          step: 'inventory',
          ok: true,
          detail: `${order.items.length} item${order.items.length === 1 ? '' : 's'} locked, ${held.itemCount} unit${held.itemCount === 1 ? '' : 's'}`,
        });
        return held;
      }),
    ]);

    step = 'shipping';
    const shipment = await services.shipping.arrange({
      idempotencyKey: `shipping-${order.orderId}`,
      orderId: order.orderId,
      address: order.customer.address,
      itemCount: reservation.itemCount,
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
    // ⚠️ The whole error strategy: log it and move on. Whatever already happened, or is still
    // happening in the other branch, stays happened.
    if (err instanceof StepFailed) step = err.step;
    const message = err instanceof Error ? err.message : String(err);
    logger.warn(`[${order.orderId}] ${step} failed: ${message}`);
    steps.push({ step, ok: false, detail: message });
    // What this function knew when it gave up: the other branch may still finish later, unseen.
    return { orderId: order.orderId, status: 'failed', steps: [...steps], error: message };
  }
}

/** The entry point `npm run original` and the grader use for every lesson's monolith. */
export const runOrder = fulfillOrderInParallel;
