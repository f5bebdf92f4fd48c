/** Idempotency keys: repeating a call returns the first result, and a key whose effect was undone is refused. */
import { expect } from 'chai';
import { AlreadyUndoneError, ChargeDisputedError, sampleOrder } from '../../services';
import { itWithServices } from '../support/harness';

describe('services: idempotency', () => {
  const order = sampleOrder();

  describe('idempotency: the same key twice changes nothing and returns the first result', () => {
    itWithServices('charge and refund', async (services) => {
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

    itWithServices('reserve and release', async (services) => {
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

    itWithServices('shipment, cancellation and notification', async (services) => {
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

  describe('nothing undone is returned as live (re-used keys)', () => {
    const chargeReq = { idempotencyKey: 'payment-O1', orderId: 'O1', amountCents: 500, paymentToken: 'tok_visa' };

    itWithServices('a refunded charge is refused by its key, and nothing new is charged', async (services) => {
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

    itWithServices('a released reservation is refused by its key, and no stock is taken again', async (services) => {
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

    itWithServices(
      'a disputed charge (tok_disputed) is charged, and its refund is refused with a business error',
      async (services) => {
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
      },
    );
  });
});
