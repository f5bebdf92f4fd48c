/**
 * An undo wins against a late step. A step's request can still be on its way when its undo runs (an
 * activity attempt that outlived its timeout, an order cancelled mid-call): the undo finds nothing,
 * fences the step's key, and the step, arriving late, is refused and recorded. Idempotency keys alone
 * would not help: they stop a second effect, not a first one that comes late.
 */
import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultPlan, LatencyPlan, REFUSED_LATE, Services, UndoneBeforeArrivalError } from '../../services';
import { freshLedgerPath, freshServices } from '../support/harness';

const ITEMS = [{ sku: 'KEYBOARD-MX', quantity: 2 }];
const ADDRESS = { name: 'Ada', line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };

describe('late effects: an undo wins against a step that arrives after it', () => {
  let services: Services;
  afterEach(() => services?.close());

  /** The three forward steps, each with its undo, keyed as lesson 06 keys them. */
  const steps = [
    {
      step: 'payment',
      forward: (s: Services) =>
        s.payment.charge({ idempotencyKey: 'payment-L1', orderId: 'L1', amountCents: 500, paymentToken: 'tok_visa' }),
      undo: (s: Services) =>
        s.payment.refund({ idempotencyKey: 'refund-payment-L1', orderId: 'L1', chargeKey: 'payment-L1' }),
      effects: (s: Services) => s.ledger.audit().charges.length,
    },
    {
      step: 'inventory',
      forward: (s: Services) => s.inventory.reserve({ idempotencyKey: 'inventory-L1', orderId: 'L1', items: ITEMS }),
      undo: (s: Services) =>
        s.inventory.release({ idempotencyKey: 'release-inventory-L1', orderId: 'L1', reservationKey: 'inventory-L1' }),
      effects: (s: Services) => s.ledger.audit().reservations.length,
    },
    {
      step: 'shipping',
      forward: (s: Services) =>
        s.shipping.arrange({ idempotencyKey: 'shipping-L1', orderId: 'L1', address: ADDRESS, itemCount: 2 }),
      undo: (s: Services) =>
        s.shipping.cancel({ idempotencyKey: 'cancel-shipping-L1', orderId: 'L1', shipmentKey: 'shipping-L1' }),
      effects: (s: Services) => s.ledger.audit().shipments.length,
    },
  ] as const;

  for (const { step, forward, undo, effects } of steps) {
    it(`${step}: an undo that finds nothing fences the key, and the step arriving later is refused`, async () => {
      services = freshServices();
      await undo(services);
      const error = await forward(services).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).to.be.instanceOf(UndoneBeforeArrivalError);
      expect((error as UndoneBeforeArrivalError).retryable).to.equal(false);
      expect((error as Error).message).to.match(new RegExp(`key ${step}-L1 arrived after .*-L1 had cancelled it`));
      expect(effects(services)).to.equal(0);
      const audit = services.ledger.audit();
      expect(audit.fences.map((f) => [f.step, f.key])).to.deep.equal([[step, `${step}-L1`]]);
      expect(audit.refusedLateCalls.map((c) => [c.step, c.key, c.outcome])).to.deep.equal([
        [step, `${step}-L1`, REFUSED_LATE],
      ]);
      expect(audit.orphanedCharges).to.have.length(0);
      expect(audit.stuckReservations).to.have.length(0);
    });
  }

  it('an undo run twice fences once, and a step that landed first is undone, not fenced', async () => {
    services = freshServices();
    await steps[0].undo(services);
    await steps[0].undo(services);
    expect(services.ledger.audit().fences).to.have.length(1);
    await steps[1].forward(services);
    const released = await steps[1].undo(services);
    expect(released.released).to.equal(true);
    const audit = services.ledger.audit();
    expect(audit.fences.map((f) => f.step)).to.deep.equal(['payment']);
    expect(audit.stuckReservations).to.have.length(0);
  });

  it('a caller that stops waiting gets its abort reason at once, and the request still lands later', async () => {
    services = freshServices(FaultPlan.none(), freshLedgerPath(), LatencyPlan.parse('payment=300ms'));
    const controller = new AbortController();
    const started = Date.now();
    const charge = services.payment.charge(
      { idempotencyKey: 'payment-L2', orderId: 'L2', amountCents: 500, paymentToken: 'tok_visa' },
      { signal: controller.signal },
    );
    controller.abort(new Error('TIMED_OUT'));
    const error = await charge.then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.message).to.equal('TIMED_OUT');
    expect(Date.now() - started).to.be.below(250);
    expect(services.ledger.audit().charges).to.have.length(0);
    // Nobody undid it: the request was already on its way, and it lands. This is the late effect.
    await sleep(500);
    expect(services.ledger.audit().orphanedCharges.map((c) => c.key)).to.deep.equal(['payment-L2']);
  });

  it('the same late request, after the saga refunded: refused, and the ledger stays clean', async () => {
    services = freshServices(FaultPlan.none(), freshLedgerPath(), LatencyPlan.parse('payment=300ms'));
    const controller = new AbortController();
    const charge = services.payment
      .charge(
        { idempotencyKey: 'payment-L3', orderId: 'L3', amountCents: 500, paymentToken: 'tok_visa' },
        { signal: controller.signal },
      )
      .catch((err: unknown) => err);
    controller.abort(new Error('TIMED_OUT'));
    await charge;
    const refund = await services.payment.refund({
      idempotencyKey: 'refund-payment-L3',
      orderId: 'L3',
      chargeKey: 'payment-L3',
    });
    expect(refund.refunded).to.equal(false);
    await sleep(500);
    const audit = services.ledger.audit();
    expect(audit.charges).to.have.length(0);
    expect(audit.orphanedCharges).to.have.length(0);
    expect(audit.refusedLateCalls.map((c) => c.key)).to.deep.equal(['payment-L3']);
  });

  it('a call whose caller already gave up is never sent', async () => {
    services = freshServices();
    const controller = new AbortController();
    controller.abort(new Error('CANCELLED'));
    const error = await steps[0]
      .forward(services)
      .then(() =>
        services.payment.charge(
          { idempotencyKey: 'payment-L4', orderId: 'L4', amountCents: 500, paymentToken: 'tok_visa' },
          { signal: controller.signal },
        ),
      )
      .then(
        () => undefined,
        (err: unknown) => err as Error,
      );
    expect(error?.message).to.equal('CANCELLED');
    expect(services.ledger.calls({ orderId: 'L4' })).to.have.length(0);
  });
});
