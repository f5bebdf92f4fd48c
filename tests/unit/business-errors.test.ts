/** Business errors: a declined card, missing stock or an undeliverable address is final, and writes nothing. */
import { expect } from 'chai';
import { CardDeclinedError, OutOfStockError, sampleOrder, UndeliverableAddressError } from '../../services';
import { itWithServices } from '../support/harness';

describe('services: business errors', () => {
  const order = sampleOrder();

  describe('business errors are not retryable', () => {
    itWithServices('declined card, out of stock, undeliverable address', async (services) => {
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

  describe('stock is checked per SKU', () => {
    itWithServices(
      'two lines of one SKU that fit alone but not together: OutOfStock (a business error), stock untouched',
      async (services) => {
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
      },
    );
  });
});
