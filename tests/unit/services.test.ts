import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AlreadyUndoneError,
  CardDeclinedError,
  ChargeDisputedError,
  FaultPlan,
  formatCents,
  Ledger,
  LedgerError,
  ORDER_LIMITS,
  orderIdProblem,
  orderProblems,
  OutOfStockError,
  runWithAttempt,
  orderTotalCents,
  sampleBatch,
  sampleOrder,
  Services,
  TransientServiceError,
  UndeliverableAddressError,
  ValidationError,
} from '../../services';
import { ApplicationFailure } from '@temporalio/common';
import { assertOrderShape } from '../../common/failures';
import { freshServices } from '../support/harness';

describe('services', () => {
  let services: Services;
  afterEach(() => services?.close());

  const order = sampleOrder();
  const total = orderTotalCents(order.items);

  it('the sample order is two line items totalling $1,059.97', () => {
    expect(order.orderId).to.equal('ORDER-001');
    expect(order.items).to.have.length(2);
    expect(total).to.equal(105_997);
    expect(formatCents(total)).to.equal('$1,059.97');
    expect(formatCents(5)).to.equal('$0.05');
    expect(formatCents(123_456_789)).to.equal('$1,234,567.89');
  });

  describe('idempotency: the same key twice changes nothing and returns the first result', () => {
    it('charge and refund', async () => {
      services = freshServices();
      const first = await services.payment.charge({
        idempotencyKey: 'k1',
        orderId: 'O1',
        amountCents: 500,
        paymentToken: 'tok_visa',
      });
      const again = await services.payment.charge({
        idempotencyKey: 'k1',
        orderId: 'O1',
        amountCents: 999,
        paymentToken: 'tok_visa',
      });
      expect(again).to.deep.equal(first);
      expect(services.ledger.audit().charges).to.have.length(1);

      const refund = await services.payment.refund({ idempotencyKey: 'r1', orderId: 'O1', chargeKey: 'k1' });
      const refundAgain = await services.payment.refund({ idempotencyKey: 'r1', orderId: 'O1', chargeKey: 'k1' });
      expect(refund).to.deep.include({ refunded: true, amountCents: 500 });
      expect(refundAgain).to.deep.equal(refund);
      // A second refund key for the same charge still refunds it only once.
      await services.payment.refund({ idempotencyKey: 'r2', orderId: 'O1', chargeKey: 'k1' });
      expect(services.ledger.audit().refunds).to.have.length(1);
      // Refunding a charge that never happened is a safe no-op.
      expect(await services.payment.refund({ idempotencyKey: 'r3', orderId: 'O2', chargeKey: 'nope' })).to.deep.equal({
        refunded: false,
        amountCents: 0,
      });
    });

    it('reserve and release', async () => {
      services = freshServices();
      const items = [{ sku: 'MOUSE-WL', quantity: 3 }];
      const before = services.ledger.stockOf('MOUSE-WL');
      const first = await services.inventory.reserve({ idempotencyKey: 'inv', orderId: 'O1', items });
      expect(await services.inventory.reserve({ idempotencyKey: 'inv', orderId: 'O1', items })).to.deep.equal(first);
      expect(services.ledger.stockOf('MOUSE-WL')).to.equal(before - 3);

      const released = await services.inventory.release({
        idempotencyKey: 'rel',
        orderId: 'O1',
        reservationKey: 'inv',
      });
      expect(
        await services.inventory.release({ idempotencyKey: 'rel', orderId: 'O1', reservationKey: 'inv' }),
      ).to.deep.equal(released);
      expect(services.ledger.stockOf('MOUSE-WL')).to.equal(before);
      expect(services.ledger.audit().releases).to.have.length(1);
    });

    it('shipment, cancellation and notification', async () => {
      services = freshServices();
      const req = { idempotencyKey: 'ship', orderId: 'O1', address: order.customer.address, itemCount: 3 };
      const first = await services.shipping.arrange(req);
      expect(first.trackingNumber).to.match(/^1Z[0-9A-F]{10}$/);
      expect(await services.shipping.arrange(req)).to.deep.equal(first);
      await services.shipping.cancel({ idempotencyKey: 'c', orderId: 'O1', shipmentKey: 'ship' });
      await services.shipping.cancel({ idempotencyKey: 'c', orderId: 'O1', shipmentKey: 'ship' });
      const mail = { idempotencyKey: 'mail', orderId: 'O1', email: 'a@b.co', trackingNumber: first.trackingNumber };
      const sent = await services.mailer.sendConfirmation(mail);
      expect(await services.mailer.sendConfirmation(mail)).to.deep.equal(sent);
      const audit = services.ledger.audit();
      expect(audit.shipments).to.have.length(1);
      expect(audit.shipments[0].cancelled).to.equal(true);
      expect(audit.notifications).to.have.length(1);
    });
  });

  describe('fault injection', () => {
    it('after:N performs the effect and then errors', async () => {
      services = freshServices(FaultPlan.parse('payment=after:1'));
      const req = { idempotencyKey: 'k', orderId: 'O1', amountCents: 700, paymentToken: 'tok_visa' };
      const error = await services.payment.charge(req).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).to.be.instanceOf(TransientServiceError);
      expect((error as TransientServiceError).effectApplied).to.equal(true);
      expect(services.ledger.audit().charges).to.have.length(1);
      // The retry (attempt 2) succeeds and returns the same charge: still one charge.
      const receipt = await services.payment.charge(req);
      expect(receipt.amountCents).to.equal(700);
      expect(services.ledger.audit().charges).to.have.length(1);
      expect(services.ledger.calls({ step: 'payment' }).map((c) => [c.attempt, c.outcome])).to.deep.equal([
        [1, 'fault-after-effect'],
        [2, 'ok'],
      ]);
    });

    it('first:N fails before the effect: nothing is written until attempt N+1', async () => {
      services = freshServices(FaultPlan.parse('inventory=first:2'));
      const req = { idempotencyKey: 'inv', orderId: 'O1', items: [{ sku: 'LAPTOP-15', quantity: 1 }] };
      for (let i = 0; i < 2; i++) {
        await services.inventory.reserve(req).then(
          () => expect.fail('should have failed'),
          (err) => expect(err).to.be.instanceOf(TransientServiceError),
        );
        expect(services.ledger.audit().reservations).to.have.length(0);
      }
      await services.inventory.reserve(req);
      expect(services.ledger.audit().reservations).to.have.length(1);
    });

    it('the attempt number is counted per step and key, whoever calls', async () => {
      services = freshServices(FaultPlan.parse('payment=always'));
      for (const key of ['a', 'a', 'b']) {
        await services.payment
          .charge({ idempotencyKey: key, orderId: 'O', amountCents: 1, paymentToken: 't' })
          .catch(() => undefined);
      }
      expect(services.ledger.calls({ step: 'payment' }).map((c) => `${c.key}#${c.attempt}`)).to.deep.equal([
        'a#1',
        'a#2',
        'b#1',
      ]);
      expect(services.ledger.audit().totals.retriesByStep).to.deep.equal({ payment: 1 });
    });
  });

  describe('business errors are not retryable', () => {
    it('declined card, out of stock, undeliverable address', async () => {
      services = freshServices();
      const declined = await services.payment
        .charge({ idempotencyKey: 'k', orderId: 'O', amountCents: 1, paymentToken: 'tok_declined' })
        .catch((e) => e);
      expect(declined).to.be.instanceOf(CardDeclinedError).with.property('retryable', false);
      const oos = await services.inventory
        .reserve({ idempotencyKey: 'i', orderId: 'O', items: [{ sku: 'VINTAGE-CAMERA', quantity: 1 }] })
        .catch((e) => e);
      expect(oos).to.be.instanceOf(OutOfStockError).with.property('retryable', false);
      const undeliverable = await services.shipping
        .arrange({
          idempotencyKey: 's',
          orderId: 'O',
          itemCount: 1,
          address: { ...order.customer.address, postalCode: '00000' },
        })
        .catch((e) => e);
      expect(undeliverable).to.be.instanceOf(UndeliverableAddressError).with.property('retryable', false);
      const audit = services.ledger.audit();
      expect(audit.charges.length + audit.reservations.length + audit.shipments.length).to.equal(0);
    });
  });

  describe('validation names the field and writes nothing', () => {
    const cases: [string, (o: any) => void, string][] = [
      ['no items', (o) => (o.items = []), 'items'],
      ['zero quantity', (o) => (o.items[0].quantity = 0), 'items[0].quantity'],
      ['unknown SKU', (o) => (o.items[1].sku = 'NOPE'), 'items[1].sku'],
      ['non-integer cents', (o) => (o.items[0].unitPriceCents = 999.99), 'items[0].unitPriceCents'],
      ['missing email', (o) => delete o.customer.email, 'customer.email'],
      ['missing address', (o) => delete o.customer.address, 'customer.address'],
      ['missing city', (o) => (o.customer.address.city = ''), 'customer.address.city'],
    ];
    for (const [label, breakIt, field] of cases) {
      it(label, async () => {
        services = freshServices();
        const bad = structuredClone(sampleOrder()) as any;
        breakIt(bad);
        const err = await services.orderDesk.validate({ idempotencyKey: 'v', order: bad }).catch((e) => e);
        expect(err).to.be.instanceOf(ValidationError);
        expect((err as ValidationError).field).to.equal(field);
        expect((err as Error).message).to.contain(field);
        const audit = services.ledger.audit();
        expect(audit.charges.length + audit.reservations.length).to.equal(0);
      });
    }
    it('a valid order passes and reports its total', async () => {
      services = freshServices();
      expect(await services.orderDesk.validate({ idempotencyKey: 'v', order })).to.deep.equal({
        orderId: 'ORDER-001',
        totalCents: 105_997,
        itemCount: 3,
      });
    });
  });

  describe("every part of an order is bounded, so an order stays far under Temporal's 2 MB payload limit", () => {
    const long = (n: number) => 'x'.repeat(n);
    const cases: [string, (o: any) => void, string, string][] = [
      [
        'a 1.9 MB address line',
        (o) => (o.customer.address.line1 = long(1_900_000)),
        'customer.address.line1',
        'customer.address.line1 is longer than 200 characters (it has 1,900,000)',
      ],
      ['a long customer name', (o) => (o.customer.name = long(201)), 'customer.name', 'longer than 200 characters'],
      ['a long email', (o) => (o.customer.email = `${long(250)}@example.com`), 'customer.email', 'longer than 254'],
      ['a long address name', (o) => (o.customer.address.name = long(201)), 'customer.address.name', 'longer than 200'],
      ['a long city', (o) => (o.customer.address.city = long(101)), 'customer.address.city', 'longer than 100'],
      ['a long postal code', (o) => (o.customer.address.postalCode = long(21)), 'customer.address.postalCode', '20'],
      ['a long country', (o) => (o.customer.address.country = long(61)), 'customer.address.country', '60'],
      ['a long SKU', (o) => (o.items[0].sku = long(65)), 'items[0].sku', 'longer than 64 characters'],
      ['a long item name', (o) => (o.items[1].name = long(201)), 'items[1].name', 'longer than 200 characters'],
      ['a long payment token', (o) => (o.paymentToken = long(101)), 'paymentToken', 'longer than 100 characters'],
      ['a long order ID', (o) => (o.orderId = long(65)), 'orderId', 'must be 1-64 letters'],
      ['an order ID with a slash', (o) => (o.orderId = 'ORDER/1'), 'orderId', `(got "ORDER/1")`],
      [
        '101 line items',
        (o) => (o.items = Array.from({ length: 101 }, () => ({ ...o.items[0] }))),
        'items',
        'has 101 lines; an order may have at most 100',
      ],
      ['an extra field that makes the whole order too big', (o) => (o.notes = long(70_000)), 'order', 'order is 70,4'],
    ];
    for (const [label, breakIt, field, text] of cases) {
      it(`${label}: refused, naming ${field}, and nothing is written`, async () => {
        services = freshServices();
        const bad = structuredClone(sampleOrder()) as any;
        breakIt(bad);
        const err = await services.orderDesk.validate({ idempotencyKey: 'v', order: bad }).catch((e) => e);
        expect(err).to.be.instanceOf(ValidationError);
        expect((err as ValidationError).field).to.equal(field);
        expect((err as Error).message).to.contain(`invalid order: ${field} `);
        expect((err as Error).message).to.contain(text);
        expect(services.ledger.audit().charges).to.have.length(0);
      });
    }

    it("the workflows' own first check refuses an order over 64 KiB before any step copies it, naming the field", () => {
      const huge = structuredClone(sampleOrder()) as any;
      huge.customer.address.line1 = 'x'.repeat(1_900_000);
      const err = (() => {
        try {
          assertOrderShape(huge);
        } catch (e) {
          return e;
        }
      })();
      expect(err).to.be.instanceOf(ApplicationFailure).with.property('type', 'InvalidOrder');
      expect((err as ApplicationFailure).nonRetryable).to.equal(true);
      expect((err as Error).message).to.equal(
        'invalid order: customer.address.line1 is longer than 200 characters (it has 1,900,000)',
      );
      expect(() => assertOrderShape(sampleOrder())).to.not.throw();
    });

    it('an order with every field at its limit and the most line items still fits in 64 KiB', () => {
      const at = (n: number) => 'x'.repeat(n);
      const largest = {
        orderId: at(ORDER_LIMITS.orderId),
        paymentToken: at(ORDER_LIMITS.paymentToken),
        customer: {
          name: at(ORDER_LIMITS.name),
          email: `${at(ORDER_LIMITS.email - 12)}@example.com`,
          address: {
            name: at(ORDER_LIMITS.name),
            line1: at(ORDER_LIMITS.line1),
            city: at(ORDER_LIMITS.city),
            postalCode: at(ORDER_LIMITS.postalCode),
            country: at(ORDER_LIMITS.country),
          },
        },
        items: Array.from({ length: ORDER_LIMITS.items }, () => ({
          sku: at(ORDER_LIMITS.sku),
          name: at(ORDER_LIMITS.name),
          quantity: 1_000_000,
          unitPriceCents: 99_999_999,
        })),
      };
      // Unknown SKUs, but nothing is too long and the whole is under the limit.
      expect(orderProblems(largest).filter((p) => /longer|bytes/.test(p.reason))).to.deep.equal([]);
      expect(Buffer.byteLength(JSON.stringify(largest))).to.be.below(ORDER_LIMITS.orderBytes);
    });

    it('the order ID rule: letters, digits, dot, underscore, dash; 1-64 of them', () => {
      for (const ok of ['ORDER-001', 'o.1_2-3', 'A', 'x'.repeat(64)])
        expect(orderIdProblem(ok), ok).to.equal(undefined);
      for (const bad of ['', 'ORDER/1', 'ORDER 1', `O'1"`, '1; DROP TABLE charges;--', '🚀', 'x'.repeat(65)]) {
        expect(orderIdProblem(bad), bad).to.match(/^must be 1-64 letters, digits, '\.', '_' or '-' \(got /);
      }
      // A long ID is shown cut short, so the message stays one readable line.
      expect(orderIdProblem('x'.repeat(5000)))
        .to.contain('… (5000 characters)')
        .and.have.length.below(150);
    });
  });

  describe('the audit', () => {
    it('derives orphaned charges and stuck reservations from a hand-built ledger', async () => {
      services = freshServices();
      const { payment, inventory, shipping } = services;
      const addr = order.customer.address;
      const charge = (o: string, c: number) =>
        payment.charge({ idempotencyKey: `pay-${o}`, orderId: o, amountCents: c, paymentToken: 't' });
      const reserve = (o: string) =>
        inventory.reserve({ idempotencyKey: `inv-${o}`, orderId: o, items: [{ sku: 'MOUSE-WL', quantity: 1 }] });
      // A: charged, reserved, shipped -> fine.
      await charge('A', 100);
      await reserve('A');
      await shipping.arrange({ idempotencyKey: 'ship-A', orderId: 'A', address: addr, itemCount: 1 });
      // B: charged and reserved, nothing shipped -> orphaned charge + stuck reservation.
      await charge('B', 200);
      await reserve('B');
      // C: charged, reserved, then compensated -> fine.
      await charge('C', 300);
      await reserve('C');
      await inventory.release({ idempotencyKey: 'rel-C', orderId: 'C', reservationKey: 'inv-C' });
      await payment.refund({ idempotencyKey: 'ref-C', orderId: 'C', chargeKey: 'pay-C' });
      // D: charged, shipment arranged then cancelled, not refunded -> orphaned.
      await charge('D', 400);
      await shipping.arrange({ idempotencyKey: 'ship-D', orderId: 'D', address: addr, itemCount: 1 });
      await shipping.cancel({ idempotencyKey: 'cancel-D', orderId: 'D', shipmentKey: 'ship-D' });

      const audit = services.ledger.audit();
      expect(audit.orphanedCharges.map((c) => c.orderId)).to.deep.equal(['B', 'D']);
      expect(audit.stuckReservations.map((r) => r.orderId)).to.deep.equal(['B']);
      expect(audit.totals).to.deep.include({ chargedCents: 1000, refundedCents: 300, orphanedCents: 600 });
      expect(audit.shippedUnpaid).to.deep.equal([]);
    });

    it('reports goods shipped but not paid for: never charged, or charged and refunded', async () => {
      services = freshServices();
      const { payment, shipping } = services;
      const addr = order.customer.address;
      const ship = (o: string) =>
        shipping.arrange({ idempotencyKey: `ship-${o}`, orderId: o, address: addr, itemCount: 1 });
      // P: charged and shipped -> fine.
      await payment.charge({ idempotencyKey: 'pay-P', orderId: 'P', amountCents: 100, paymentToken: 't' });
      await ship('P');
      // E: shipped, never charged -> shipped, not paid.
      await ship('E');
      // F: charged, refunded, then shipped anyway (a re-run that reused the refunded charge) -> shipped, not paid.
      await payment.charge({ idempotencyKey: 'pay-F', orderId: 'F', amountCents: 200, paymentToken: 't' });
      await payment.refund({ idempotencyKey: 'ref-F', orderId: 'F', chargeKey: 'pay-F' });
      await ship('F');
      // G: shipment arranged, never charged, then cancelled -> nothing left the warehouse: fine.
      await ship('G');
      await shipping.cancel({ idempotencyKey: 'cancel-G', orderId: 'G', shipmentKey: 'ship-G' });

      const audit = services.ledger.audit();
      expect(audit.shippedUnpaid.map((s) => s.orderId)).to.deep.equal(['E', 'F']);
      expect(audit.shippedUnpaid.every((s) => s.cancelled === false)).to.equal(true);
      expect(audit.orphanedCharges).to.deep.equal([]);
    });
  });

  describe('nothing undone is returned as live (re-used keys)', () => {
    const chargeReq = { idempotencyKey: 'payment-O1', orderId: 'O1', amountCents: 500, paymentToken: 'tok_visa' };

    it('a refunded charge is refused by its key, and nothing new is charged', async () => {
      services = freshServices();
      await services.payment.charge(chargeReq);
      await services.payment.refund({ idempotencyKey: 'refund-O1', orderId: 'O1', chargeKey: 'payment-O1' });
      const err = await services.payment.charge(chargeReq).catch((e) => e);
      expect(err).to.be.instanceOf(AlreadyUndoneError).with.property('retryable', false);
      expect(err).to.have.property('code', 'AlreadyUndone');
      expect((err as Error).message)
        .to.contain('payment-O1')
        .and.contain('new order ID');
      const audit = services.ledger.audit();
      expect(audit.charges).to.have.length(1);
      expect(audit.refunds).to.have.length(1);
      expect(audit.orphanedCharges).to.have.length(0);
      expect(services.ledger.calls({ step: 'payment' }).map((c) => c.outcome)).to.deep.equal(['ok', 'rejected']);
    });

    it('a released reservation is refused by its key, and no stock is taken again', async () => {
      services = freshServices();
      const req = { idempotencyKey: 'inventory-O1', orderId: 'O1', items: [{ sku: 'MOUSE-WL', quantity: 2 }] };
      const before = services.ledger.stockOf('MOUSE-WL');
      await services.inventory.reserve(req);
      await services.inventory.release({ idempotencyKey: 'release-O1', orderId: 'O1', reservationKey: 'inventory-O1' });
      const err = await services.inventory.reserve(req).catch((e) => e);
      expect(err).to.be.instanceOf(AlreadyUndoneError).with.property('retryable', false);
      expect((err as Error).message).to.contain('inventory-O1');
      expect(services.ledger.stockOf('MOUSE-WL')).to.equal(before);
      expect(services.ledger.audit().reservations).to.have.length(1);
      expect(services.ledger.audit().stuckReservations).to.have.length(0);
    });

    it('a disputed charge (tok_disputed) is charged, and its refund is refused with a business error', async () => {
      services = freshServices();
      await services.payment.charge({ ...chargeReq, paymentToken: 'tok_disputed' });
      const refund = { idempotencyKey: 'refund-O1', orderId: 'O1', chargeKey: 'payment-O1' };
      const err = await services.payment.refund(refund).catch((e) => e);
      expect(err).to.be.instanceOf(ChargeDisputedError).with.property('retryable', false);
      expect(err).to.have.property('code', 'ChargeDisputed');
      expect((err as Error).message)
        .to.contain('disputed')
        .and.contain('O1');
      // The same answer every time: retrying cannot settle a dispute.
      expect(await services.payment.refund(refund).catch((e) => e)).to.be.instanceOf(ChargeDisputedError);
      const audit = services.ledger.audit();
      expect(audit.refunds).to.have.length(0);
      // Charged, not refunded, nothing shipped: the audit keeps showing it until a person settles it.
      expect(audit.orphanedCharges.map((c) => c.orderId)).to.deep.equal(['O1']);
      expect(services.ledger.calls({ step: 'refund' }).map((c) => c.outcome)).to.deep.equal(['rejected', 'rejected']);
    });
  });

  describe('stock is checked per SKU', () => {
    it('two lines of one SKU that fit alone but not together: OutOfStock (a business error), stock untouched', async () => {
      services = freshServices();
      const before = services.ledger.stockOf('LAPTOP-15');
      const half = Math.ceil(before / 2) + 1;
      const err = await services.inventory
        .reserve({
          idempotencyKey: 'inv',
          orderId: 'O1',
          items: [
            { sku: 'LAPTOP-15', quantity: half },
            { sku: 'LAPTOP-15', quantity: half },
          ],
        })
        .catch((e) => e);
      expect(err).to.be.instanceOf(OutOfStockError).with.property('retryable', false);
      expect((err as Error).message).to.equal(`out of stock: LAPTOP-15 (requested ${2 * half}, available ${before})`);
      expect((err as Error).message).to.not.match(/SQLITE|constraint/i);
      expect(services.ledger.stockOf('LAPTOP-15')).to.equal(before);
      expect(services.ledger.audit().reservations).to.have.length(0);
      expect(services.ledger.calls({ step: 'inventory' }).map((c) => c.outcome)).to.deep.equal(['rejected']);
    });
  });

  describe('prices and lines come from the catalog', () => {
    it('a price that disagrees with the catalog is rejected, naming the field and the value', async () => {
      services = freshServices();
      const bad = structuredClone(sampleOrder());
      bad.items[0].unitPriceCents = 1;
      const err = await services.orderDesk.validate({ idempotencyKey: 'v', order: bad }).catch((e) => e);
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).field).to.equal('items[0].unitPriceCents');
      expect((err as Error).message).to.equal(
        'invalid order: items[0].unitPriceCents is 1, but LAPTOP-15 costs 99999 in the catalog (prices come from the catalog)',
      );
    });

    it('two lines of the same SKU are rejected, naming the repeated line', async () => {
      services = freshServices();
      const bad = structuredClone(sampleOrder());
      bad.items.push({ ...bad.items[0], quantity: 1 });
      const err = await services.orderDesk.validate({ idempotencyKey: 'v', order: bad }).catch((e) => e);
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).field).to.equal('items[2].sku');
      expect((err as Error).message).to.contain('repeats LAPTOP-15 from items[0]');
    });
  });

  describe('fault attempts under a worker', () => {
    it("count the larger of Temporal's attempt and the calls made with the key, so an undo retried in rounds recovers", async () => {
      services = freshServices(FaultPlan.parse('refund=first:5'));
      await services.payment.charge({ idempotencyKey: 'p', orderId: 'O', amountCents: 5, paymentToken: 't' });
      const refund = () => services.payment.refund({ idempotencyKey: 'r', orderId: 'O', chargeKey: 'p' });
      const outcomes: string[] = [];
      // Two rounds of one activity each, attempts 1, 2, 3 as Temporal numbers them.
      for (let round = 0; round < 2; round++) {
        for (let attempt = 1; attempt <= 3; attempt++) {
          const result = await runWithAttempt(attempt, refund).then(
            (r) => `refunded ${r.refunded}`,
            (e: Error) => e.message,
          );
          outcomes.push(result);
          if (result.startsWith('refunded')) break;
        }
      }
      expect(outcomes).to.deep.equal([
        'refund service unavailable (attempt 1)',
        'refund service unavailable (attempt 2)',
        'refund service unavailable (attempt 3)',
        'refund service unavailable (attempt 4)',
        'refund service unavailable (attempt 5)',
        'refunded true',
      ]);
      // And a worker's attempt number that is ahead of the ledger (an attempt lost in a crash) still counts.
      const crashed = await runWithAttempt(4, () =>
        services.payment.charge({ idempotencyKey: 'p2', orderId: 'O2', amountCents: 5, paymentToken: 't' }),
      );
      expect(crashed.amountCents).to.equal(5);
    });
  });

  describe('the ledger file', () => {
    it('an unwritable LEDGER_PATH gives a clear error', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ro-'));
      const file = path.join(dir, 'file-not-dir');
      fs.writeFileSync(file, 'x');
      expect(() => Ledger.open(path.join(file, 'ledger.sqlite'))).to.throw(
        LedgerError,
        /cannot open the ledger at .*Set LEDGER_PATH/,
      );
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('a directory that refuses new entries (/proc) fails at once, not in an endless mkdir loop', () => {
      expect(() => Ledger.open('/proc/x/l.sqlite')).to.throw(
        LedgerError,
        /cannot open the ledger at \/proc\/x\/l\.sqlite: ENOENT/,
      );
    });

    it("two connections see each other's writes (worker and audit in different processes)", async () => {
      services = freshServices();
      const other = Ledger.open(services.ledger.path);
      await services.payment.charge({ idempotencyKey: 'x', orderId: 'O', amountCents: 5, paymentToken: 't' });
      expect(other.audit().charges).to.have.length(1);
      other.close();
    });
  });

  it('sample batches are the same every time and all valid', () => {
    expect(sampleBatch(30)).to.deep.equal(sampleBatch(30));
    expect(
      sampleBatch(30)
        .map((o) => o.orderId)
        .slice(0, 3),
    ).to.deep.equal(['ORDER-001', 'ORDER-002', 'ORDER-003']);
    expect(sampleBatch(3)[0]).to.deep.equal(sampleOrder());
  });
});
