/**
 * BEFORE (lesson 02): an order processor that "handles" failures itself.
 *
 * Six steps in a row: validate, calculate the total, process the payment, reserve the inventory,
 * calculate shipping, schedule the shipment. Every step that talks to the outside world has its own
 * retry loop built in: try, catch, sleep, try again, three times. It looks robust. Read it, run
 * `npm run original -- --lesson 02`, and look at the audit.
 *
 * Problems to spot (lesson 02 fixes the first four, lesson 06 the last):
 *   1. Retry logic is copied into every function, each with its own count and sleep, and it is
 *      invisible: nothing outside the process knows how many attempts were made, or why.
 *   2. It retries everything, even errors that can never succeed: a declined card is charged three
 *      times over (thanks only to the gateway's idempotency key nothing worse happens).
 *   3. The retry state lives in memory: if the process dies while sleeping, the order is lost
 *      half-way and nobody knows where it stopped.
 *   4. Pure calculations (total, shipping quote) sit among the I/O with nothing to tell them apart.
 *   5. No compensation: when the shipment cannot be scheduled, the customer stays charged and the
 *      stock stays reserved.
 */
import type { OriginalOutcome } from '../../common/original-outcome';
import { formatCents, itemCount, Order, orderTotalCents, Services } from '../../services';

export type StepName = 'validate' | 'payment' | 'inventory' | 'shipping';

/** What every original returns, and the two amounts the processor calculated on the way. */
export type OrderOutcome = OriginalOutcome<StepName> & { totalCents?: number; shippingCents?: number };

export interface ProcessorOptions {
  /** Attempts per step (default 3). */
  attempts?: number;
  /** Sleep between attempts in milliseconds (default 10; a real system would wait seconds). */
  sleepMs?: number;
  logger?: Pick<Console, 'warn'>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class OrderProcessor {
  private readonly attempts: number;
  private readonly sleepMs: number;
  private readonly logger: Pick<Console, 'warn'>;

  constructor(
    private readonly services: Services,
    options: ProcessorOptions = {},
  ) {
    this.attempts = options.attempts ?? 3;
    this.sleepMs = options.sleepMs ?? 10;
    this.logger = options.logger ?? console;
  }

  async processOrder(order: Order): Promise<OrderOutcome> {
    const steps: OrderOutcome['steps'] = [];
    let step: StepName = 'validate';
    let totalCents: number | undefined;
    let shippingCents: number | undefined;
    try {
      await this.validateOrder(order);
      steps.push({ step, ok: true, detail: 'order valid' });

      totalCents = this.calculateTotal(order);

      step = 'payment';
      const chargeId = await this.processPayment(order, totalCents);
      steps.push({ step, ok: true, detail: `${formatCents(totalCents)} charged (${chargeId})` });

      step = 'inventory';
      const reserved = await this.reserveInventory(order);
      steps.push({ step, ok: true, detail: `${reserved} units reserved` });

      shippingCents = this.calculateShipping(order);

      step = 'shipping';
      const trackingNumber = await this.scheduleShipment(order);
      steps.push({ step, ok: true, detail: `tracking ${trackingNumber}` });
      return { orderId: order.orderId, status: 'completed', steps, totalCents, shippingCents };
    } catch (err) {
      // ⚠️ Out of retries: log it and give up. Whatever already happened stays happened.
      const message = messageOf(err);
      this.logger.warn(`[${order.orderId}] ${step} failed after ${this.attempts} attempts: ${message}`);
      steps.push({ step, ok: false, detail: message });
      return { orderId: order.orderId, status: 'failed', steps, totalCents, shippingCents, error: message };
    }
  }

  async validateOrder(order: Order): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        await this.services.orderDesk.validate({ idempotencyKey: `validate-${order.orderId}`, order });
        return;
      } catch (err) {
        lastError = err;
        if (attempt < this.attempts) {
          this.logger.warn(`[${order.orderId}] validate attempt ${attempt} failed (${messageOf(err)}), retrying`);
          await sleep(this.sleepMs);
        }
      }
    }
    throw lastError;
  }

  calculateTotal(order: Order): number {
    return orderTotalCents(order.items);
  }

  async processPayment(order: Order, amountCents: number): Promise<string> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        const charge = await this.services.payment.charge({
          idempotencyKey: `payment-${order.orderId}`,
          orderId: order.orderId,
          amountCents,
          paymentToken: order.paymentToken,
        });
        return charge.chargeId;
      } catch (err) {
        // ⚠️ Retries a declined card too: no distinction between "try later" and "never".
        lastError = err;
        if (attempt < this.attempts) {
          this.logger.warn(`[${order.orderId}] payment attempt ${attempt} failed (${messageOf(err)}), retrying`);
          await sleep(this.sleepMs);
        }
      }
    }
    throw lastError;
  }

  async reserveInventory(order: Order): Promise<number> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        const reservation = await this.services.inventory.reserve({
          idempotencyKey: `inventory-${order.orderId}`,
          orderId: order.orderId,
          items: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
        });
        return reservation.itemCount;
      } catch (err) {
        lastError = err;
        if (attempt < this.attempts) {
          this.logger.warn(`[${order.orderId}] inventory attempt ${attempt} failed (${messageOf(err)}), retrying`);
          await sleep(this.sleepMs);
        }
      }
    }
    throw lastError;
  }

  /** $5.99 for the first unit, $1.50 for each one after it. */
  calculateShipping(order: Order): number {
    return 599 + 150 * (itemCount(order.items) - 1);
  }

  async scheduleShipment(order: Order): Promise<string> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        const shipment = await this.services.shipping.arrange({
          idempotencyKey: `shipping-${order.orderId}`,
          orderId: order.orderId,
          address: order.customer.address,
          itemCount: itemCount(order.items),
        });
        return shipment.trackingNumber;
      } catch (err) {
        lastError = err;
        if (attempt < this.attempts) {
          this.logger.warn(`[${order.orderId}] shipping attempt ${attempt} failed (${messageOf(err)}), retrying`);
          await sleep(this.sleepMs);
        }
      }
    }
    throw lastError;
  }
}

/** One order through the processor: the entry point `npm run original` and the grader use for every lesson. */
export function runOrder(order: Order, services: Services, logger: Pick<Console, 'warn'> = console) {
  return new OrderProcessor(services, { logger }).processOrder(order);
}
