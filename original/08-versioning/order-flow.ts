/**
 * BEFORE (lesson 08): the monolith's order flow, changed the way a monolith is changed: edit the
 * function, restart the process.
 *
 * The business asked for two things: screen every order for fraud before anything is charged, and
 * reserve the stock before charging the card (an order that cannot ship is then never charged). Here
 * both are a plain edit of the steps below, and the new code runs from the next order on.
 *
 * What the edit does not see: the orders that were in flight when the process restarted for the
 * deploy. Nothing remembers them. Each stopped wherever it was (charged but not reserved, reserved
 * but not shipped), and nothing ever finishes it. No replay, so no non-determinism error, and no order
 * that survives the deploy either.
 *
 * With Temporal those orders do survive the deploy: the new worker rebuilds each one from its event
 * history by replaying it against the NEW code. That is exactly why the new code must still fit the
 * histories of the orders it inherits, and what lesson 08 is about.
 */
import type { OriginalOutcome } from '../../common/original-outcome';
import { FraudSuspectedError, formatCents, Order, orderTotalCents, Services } from '../../services';

export type StepName = 'validate' | 'fraud' | 'inventory' | 'payment' | 'shipping';

export type OrderOutcome = OriginalOutcome<StepName>;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** One order through the flow as the monolith runs it after the change: one attempt per step, no cleanup. */
export async function runOrder(
  order: Order,
  services: Services,
  logger: Pick<Console, 'warn'> = console,
): Promise<OrderOutcome> {
  const { orderId } = order;
  const key = (step: StepName) => `${step}-${orderId}`;
  const steps: OrderOutcome['steps'] = [];
  const step = async (name: StepName, run: () => Promise<string>): Promise<void> => {
    try {
      steps.push({ step: name, ok: true, detail: await run() });
    } catch (err) {
      steps.push({ step: name, ok: false, detail: messageOf(err) });
      throw err;
    }
  };
  const totalCents = orderTotalCents(order.items);
  // What the fraud screen judges is what the gateway then charges: this card, this amount.
  const card = { orderId, amountCents: totalCents, paymentToken: order.paymentToken };
  let itemCount = 0;
  try {
    await step('validate', async () => {
      itemCount = (await services.orderDesk.validate({ idempotencyKey: key('validate'), order })).itemCount;
      return 'order valid';
    });
    // The change, edited in: the fraud screen first …
    await step('fraud', async () => {
      const verdict = await services.fraud.check({
        ...card,
        idempotencyKey: key('fraud'),
        email: order.customer.email,
      });
      return `risk score ${verdict.riskScore}`;
    });
    // … and the stock before the card.
    await step('inventory', async () => {
      const items = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
      await services.inventory.reserve({ idempotencyKey: key('inventory'), orderId, items });
      return `${itemCount} units reserved`;
    });
    await step('payment', async () => {
      const charge = await services.payment.charge({ ...card, idempotencyKey: key('payment') });
      return `${formatCents(totalCents)} charged (${charge.chargeId})`;
    });
    await step('shipping', async () => {
      const shipment = await services.shipping.arrange({
        idempotencyKey: key('shipping'),
        orderId,
        address: order.customer.address,
        itemCount,
      });
      return `tracking ${shipment.trackingNumber}`;
    });
    return { orderId, status: 'completed', steps };
  } catch (err) {
    if (err instanceof FraudSuspectedError) logger.warn(`[${orderId}] refused by the fraud screen: ${err.message}`);
    return { orderId, status: 'failed', steps, error: messageOf(err) };
  }
}
