/**
 * Every activity of lessons 02 and 06, called the way a worker calls it (MockActivityEnvironment: a
 * real activity context, no server), against a fresh ledger:
 *   - it passes the idempotency key through, so a second call with the same key changes nothing;
 *   - a business error (the service says retryable === false) leaves as a NON-retryable
 *     ApplicationFailure typed with the service's code, so Temporal stops at once;
 *   - a transient error (an injected outage) leaves as it is, so the retry policy retries it;
 *   - a retry of a half-done call (`after:1`: the effect landed, then the call failed) returns the
 *     first result and does nothing twice.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { expect } from 'chai';
import { runWithAttempt } from '../../services';
import { CATALOG, FaultPlan, orderTotalCents, sampleOrder, TransientServiceError, type Services } from '../../services';
import { createActivities as createActivities02 } from '../../solution/02-order-processing/activities';
import { createActivities as createActivities06 } from '../../solution/06-order-fulfillment/activities';
import { freshServices } from '../support/harness';

const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });

/** Runs `fn` as attempt `attempt` of its activity, as a worker with the kit's interceptor would. */
function attempt<T>(n: number, fn: () => Promise<T>): Promise<T> {
  return runWithAttempt(n, fn);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the activity to fail');
}

function expectNonRetryable(err: unknown, type: string, message: RegExp): void {
  expect(err, String(err)).to.be.instanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).nonRetryable, 'nonRetryable').to.equal(true);
  expect((err as ApplicationFailure).type).to.equal(type);
  expect((err as Error).message).to.match(message);
}

const order = sampleOrder('ORDER-ACT-1');
const total = orderTotalCents(order.items);
const items = order.items.map(({ sku, quantity }) => ({ sku, quantity }));
/** The activity input that charges the whole order to a good card, under `idempotencyKey`. */
const chargeOf = (idempotencyKey: string) => ({
  idempotencyKey,
  orderId: order.orderId,
  amountCents: total,
  paymentToken: 'tok_visa',
});

for (const [lesson, create] of [
  ['02', createActivities02],
  ['06', createActivities06],
] as const) {
  describe(`lesson ${lesson} activities`, () => {
    let services: Services;
    afterEach(() => services?.close());

    it('validateOrder: a valid order passes; an invalid one fails non-retryably as InvalidOrder, naming the field', async () => {
      services = freshServices();
      const a = create(services);
      const ok = await env.run(a.validateOrder, { idempotencyKey: 'validate-ORDER-ACT-1', order });
      expect(ok).to.include({ itemCount: 3 });
      const bad = { ...order, items: [{ ...order.items[0], unitPriceCents: 1 }] };
      const err = await rejection(env.run(a.validateOrder, { idempotencyKey: 'validate-bad', order: bad }));
      expectNonRetryable(
        err,
        'InvalidOrder',
        /invalid order: items\[0\]\.unitPriceCents is 1, but LAPTOP-15 costs 99999/,
      );
    });

    it('chargePayment: one charge per key; a declined card is CardDeclined, non-retryable', async () => {
      services = freshServices();
      const a = create(services);
      const input = chargeOf('payment-ORDER-ACT-1');
      const first = await env.run(a.chargePayment, input);
      const again = await env.run(a.chargePayment, input);
      expect(again).to.deep.equal(first);
      expect(first).to.include({ amountCents: total });
      expect(services.ledger.audit().charges.map((c) => c.key)).to.deep.equal(['payment-ORDER-ACT-1']);

      const err = await rejection(
        env.run(a.chargePayment, { ...input, idempotencyKey: 'payment-D', paymentToken: 'tok_declined' }),
      );
      expectNonRetryable(err, 'CardDeclined', /card declined/);
      expect(services.ledger.audit().charges).to.have.length(1);
    });

    it('reserveInventory: one reservation per key; no stock is OutOfStock, non-retryable', async () => {
      services = freshServices();
      const a = create(services);
      const input = { idempotencyKey: 'inventory-ORDER-ACT-1', orderId: order.orderId, items };
      const first = await env.run(a.reserveInventory, input);
      expect(await env.run(a.reserveInventory, input)).to.deep.equal(first);
      expect(first).to.include({ itemCount: 3 });
      expect(services.ledger.audit().reservations).to.have.length(1);

      const camera = CATALOG.find((entry) => entry.initialStock === 0)!;
      const err = await rejection(
        env.run(a.reserveInventory, {
          ...input,
          idempotencyKey: 'inventory-C',
          items: [{ sku: camera.sku, quantity: 1 }],
        }),
      );
      expectNonRetryable(err, 'OutOfStock', /out of stock: VINTAGE-CAMERA/);
    });

    it('arrangeShipment: one shipment per key; an undeliverable address is UndeliverableAddress, non-retryable', async () => {
      services = freshServices();
      const a = create(services);
      const input = {
        idempotencyKey: 'shipping-ORDER-ACT-1',
        orderId: order.orderId,
        address: order.customer.address,
        itemCount: 3,
      };
      const first = (await env.run(a.arrangeShipment, input)) as { trackingNumber: string };
      expect(await env.run(a.arrangeShipment, input)).to.deep.equal(first);
      expect(first.trackingNumber).to.match(/^1Z[0-9A-F]{10}$/);
      expect(services.ledger.audit().shipments).to.have.length(1);

      const nowhere = { ...order.customer.address, postalCode: '00000' };
      const err = await rejection(
        env.run(a.arrangeShipment, { ...input, idempotencyKey: 'shipping-X', address: nowhere }),
      );
      expectNonRetryable(err, 'UndeliverableAddress', /postal code 00000 does not exist/);
    });

    it('a transient fault leaves the activity as it is (retryable), with one service call per attempt', async () => {
      services = freshServices(FaultPlan.parse('payment=first:1'));
      const a = create(services);
      const input = chargeOf('payment-T');
      const err = await rejection(attempt(1, () => env.run(a.chargePayment, input)));
      expect(err).to.be.instanceOf(TransientServiceError);
      expect((err as TransientServiceError).retryable).to.equal(true);
      expect(await attempt(2, () => env.run(a.chargePayment, input))).to.include({ amountCents: total });
      expect(services.ledger.calls({ step: 'payment' }).map((c) => c.outcome)).to.deep.equal(['fault', 'ok']);
    });

    it('a retry of a half-done charge (after:1) returns the first charge: one charge, nothing twice', async () => {
      services = freshServices(FaultPlan.parse('payment=after:1'));
      const a = create(services);
      const input = chargeOf('payment-H');
      const err = await rejection(attempt(1, () => env.run(a.chargePayment, input)));
      expect((err as Error).message).to.match(/timed out after doing the work/);
      const retried = (await attempt(2, () => env.run(a.chargePayment, input))) as { chargeId: string };
      const audit = services.ledger.audit();
      expect(audit.charges).to.have.length(1);
      expect(retried.chargeId).to.equal(audit.charges[0].chargeId);
    });
  });
}

describe('lesson 06 compensation activities', () => {
  let services: Services;
  afterEach(() => services?.close());

  it('refund, release and cancel undo exactly once per key, and report "nothing to undo" when nothing happened', async () => {
    services = freshServices();
    const a = createActivities06(services);
    // Nothing happened under these keys: every undo is a safe no-op (and fences its key: late-effects.test.ts).
    expect(
      await env.run(a.refundPayment, { idempotencyKey: 'refund-p', orderId: 'O', chargeKey: 'payment-never' }),
    ).to.include({
      refunded: false,
    });
    expect(
      await env.run(a.releaseInventory, {
        idempotencyKey: 'release-i',
        orderId: 'O',
        reservationKey: 'inventory-never',
      }),
    ).to.include({
      released: false,
    });
    expect(
      await env.run(a.cancelShipment, { idempotencyKey: 'cancel-s', orderId: 'O', shipmentKey: 'shipping-never' }),
    ).to.include({
      cancelled: false,
    });

    await env.run(a.chargePayment, {
      idempotencyKey: 'payment-O',
      orderId: 'O',
      amountCents: 2_999,
      paymentToken: 'tok_visa',
    });
    await env.run(a.reserveInventory, {
      idempotencyKey: 'inventory-O',
      orderId: 'O',
      items: [{ sku: 'MOUSE-WL', quantity: 1 }],
    });
    const stockAfterReserve = services.ledger.stockOf('MOUSE-WL');
    for (let i = 0; i < 2; i++) {
      expect(
        await env.run(a.refundPayment, { idempotencyKey: 'refund-p2', orderId: 'O', chargeKey: 'payment-O' }),
      ).to.include({
        refunded: true,
        amountCents: 2_999,
      });
      expect(
        await env.run(a.releaseInventory, {
          idempotencyKey: 'release-i2',
          orderId: 'O',
          reservationKey: 'inventory-O',
        }),
      ).to.include({ released: true, itemCount: 1 });
    }
    const audit = services.ledger.audit();
    expect(audit.refunds).to.have.length(1);
    expect(audit.releases).to.have.length(1);
    expect(services.ledger.stockOf('MOUSE-WL')).to.equal(stockAfterReserve + 1);
    expect(audit.orphanedCharges).to.deep.equal([]);
    expect(audit.stuckReservations).to.deep.equal([]);
  });

  it('a refunded charge is never returned as live: charging its key again is AlreadyUndone, non-retryable', async () => {
    services = freshServices();
    const a = createActivities06(services);
    const charge = { idempotencyKey: 'payment-R', orderId: 'R', amountCents: 2_999, paymentToken: 'tok_visa' };
    await env.run(a.chargePayment, charge);
    await env.run(a.refundPayment, { idempotencyKey: 'refund-R', orderId: 'R', chargeKey: 'payment-R' });
    const err = await rejection(env.run(a.chargePayment, charge));
    expectNonRetryable(err, 'AlreadyUndone', /already undone/);
  });

  it('sendConfirmation: one email per key', async () => {
    services = freshServices();
    const a = createActivities06(services);
    const input = {
      idempotencyKey: 'notification-N',
      orderId: 'N',
      email: 'ada@example.com',
      trackingNumber: '1Z0000000000',
    };
    const first = await env.run(a.sendConfirmation, input);
    expect(await env.run(a.sendConfirmation, input)).to.deep.equal(first);
    expect(services.ledger.audit().notifications).to.have.length(1);
  });
});
