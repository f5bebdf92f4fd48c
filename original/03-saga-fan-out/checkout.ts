/**
 * BEFORE (lesson 03): the checkout code as it looks after a few years of quick fixes.
 *
 * It validates the order, charges the card, reserves the stock at every warehouse that holds part of
 * the order (all at once, "much faster"), books the carrier, and emails the customer. Each piece was
 * written by someone else at another time, and it shows: a callback from the days before promises,
 * then-chains, async/await; state kept in a module variable; errors caught and dropped. Read it, run
 * `npm run original -- --lesson 03`, and look at the audit.
 *
 * Problems to spot (lesson 03 fixes each one):
 *   1. The card is retried in a loop with no limit and no pause (`chargeCard`): only the gateway
 *      coming back ends it. Every other call gets no retry at all: one carrier timeout fails the order.
 *   2. The confirmation email ("your order has shipped") goes out while the charge is still being
 *      retried, before anything is reserved or shipped: customers are told about orders that then fail.
 *   3. The warehouses are reserved with `Promise.all`: when one fails, the others have already
 *      reserved, and nothing releases them. Stock stays locked for an order that will never ship.
 *   4. Nothing is undone when a later step fails: the card stays charged.
 *   5. Errors are swallowed: the email's failure is dropped, and every payment failure is caught and
 *      retried, whatever it was.
 *   6. `current` lives at module level: two orders in one process at once overwrite each other's
 *      stage and reservations. It works only because orders happen to run one at a time.
 *   7. Nothing is durable: a crash mid-way loses the order; the only record is a log line.
 */
import type { OriginalOutcome } from '../../common/original-outcome';
import { formatCents, type Order, orderTotalCents, type Services, splitByWarehouse } from '../../services';

// The order being checked out. "Saves passing it around." Shared by every order in this process.
let current: any = {};

type Callback<T> = (err: Error | null, result?: T) => void;

/** From the callback days; nobody dared to touch it since. */
function validateOrder(services: Services, order: Order, done: Callback<number>): void {
  services.orderDesk
    .validate({ idempotencyKey: `validate-03-${order.orderId}`, order })
    .then((validated) => done(null, validated.itemCount))
    .catch((err) => done(err));
}

/** "The gateway is flaky, just keep trying." No limit, no pause: it ends when a call goes through. */
async function chargeCard(services: Services, order: Order, amountCents: number): Promise<string> {
  for (;;) {
    current.tries = (current.tries || 0) + 1;
    try {
      const receipt = await services.payment.charge({
        idempotencyKey: `payment-03-${order.orderId}`,
        orderId: order.orderId,
        amountCents,
        paymentToken: order.paymentToken,
      });
      return receipt.chargeId;
    } catch (e) {
      // Those two never work, everything else "usually does the second time".
      if (/declined|invalid/i.test(String((e as Error)?.message))) throw e;
    }
  }
}

/** Fire and forget: the customer likes a quick email. */
function sendConfirmation(services: Services, order: Order): void {
  services.mailer
    .sendConfirmation({
      idempotencyKey: `notification-03-${order.orderId}`,
      orderId: order.orderId,
      email: order.customer.email,
      trackingNumber: 'PENDING',
    })
    .then(() => current.steps.push({ step: 'email', ok: true, detail: `"has shipped" to ${order.customer.email}` }))
    .catch(() => {
      /* not important */
    });
}

/** Every warehouse at once. */
function reserveEverywhere(services: Services, order: Order): Promise<number> {
  return Promise.all(
    splitByWarehouse(order.items).map((parcel) =>
      services.inventory
        .reserve({
          idempotencyKey: `inventory-${parcel.warehouse}-03-${order.orderId}`,
          orderId: order.orderId,
          items: parcel.items,
          warehouse: parcel.warehouse,
        })
        .then(
          (reservation) => {
            current.reserved.push(reservation.reservationId);
            const units = reservation.itemCount;
            current.steps.push({
              step: `stock@${parcel.warehouse}`,
              ok: true,
              detail: `${units} unit${units === 1 ? '' : 's'}`,
            });
            return units;
          },
          (err) => {
            current.steps.push({ step: `stock@${parcel.warehouse}`, ok: false, detail: err.message });
            throw err;
          },
        ),
    ),
  ).then((units) => units.reduce((a, b) => a + b, 0));
}

export function checkout(
  order: Order,
  services: Services,
  logger: Pick<Console, 'warn'> = console,
): Promise<OriginalOutcome> {
  current = { orderId: order.orderId, stage: 'validate', steps: [], reserved: [] };
  const steps: OriginalOutcome['steps'] = current.steps;
  return new Promise((resolve) => {
    validateOrder(services, order, (err) => {
      if (err) {
        steps.push({ step: 'validate', ok: false, detail: err.message });
        resolve({ orderId: order.orderId, status: 'failed', steps, error: err.message });
        return;
      }
      steps.push({ step: 'validate', ok: true, detail: 'order valid' });
      const total = orderTotalCents(order.items);

      current.stage = 'payment';
      const charging = chargeCard(services, order, total);
      sendConfirmation(services, order); // doesn't need to wait for the payment

      charging
        .then((chargeId) => {
          const tries = current.tries > 1 ? `, ${current.tries} tries` : '';
          steps.push({ step: 'payment', ok: true, detail: `${formatCents(total)} charged (${chargeId}${tries})` });
          current.stage = 'stock';
          return reserveEverywhere(services, order);
        })
        .then(async (units) => {
          current.stage = 'shipping';
          const shipment = await services.shipping.arrange({
            idempotencyKey: `shipping-03-${order.orderId}`,
            orderId: order.orderId,
            address: order.customer.address,
            itemCount: units,
          });
          steps.push({ step: 'shipping', ok: true, detail: `tracking ${shipment.trackingNumber}` });
          resolve({ orderId: order.orderId, status: 'completed', steps });
        })
        .catch((e) => {
          // Log it and move on. Whatever was charged or reserved stays that way.
          logger.warn(`[${order.orderId}] checkout failed at ${current.stage}: ${e.message}`);
          if (current.stage !== 'stock') steps.push({ step: current.stage, ok: false, detail: e.message });
          resolve({ orderId: order.orderId, status: 'failed', steps, error: e.message });
        });
    });
  });
}

/** The entry point `npm run original` and the grader use for every lesson's monolith. */
export const runOrder = checkout;
