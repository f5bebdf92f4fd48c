/** Orders: the sample order and batches, and the validation that refuses a bad order before anything is written. */
import { expect } from 'chai';
import { ApplicationFailure } from '@temporalio/common';
import {
  formatCents,
  ORDER_LIMITS,
  orderIdProblem,
  orderProblems,
  orderTotalCents,
  sampleBatch,
  sampleOrder,
  type Services,
  ValidationError,
} from '../../services';
import { assertOrderShape } from '../../common/failures';
import { itWithServices } from '../support/harness';

/** The order desk's refusal of the sample order changed by `breakIt`: a ValidationError, or the test fails. */
async function refusal(services: Services, breakIt: (order: any) => void): Promise<ValidationError> {
  const bad = structuredClone(sampleOrder()) as any;
  breakIt(bad);
  const err = await services.orderDesk.validate({ idempotencyKey: 'v', order: bad }).catch((e) => e);
  expect(err).to.be.instanceOf(ValidationError);
  return err as ValidationError;
}

describe('orders', () => {
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

  it('sample batches are the same every time and all valid', () => {
    expect(sampleBatch(30)).to.deep.equal(sampleBatch(30));
    expect(
      sampleBatch(30)
        .map((o) => o.orderId)
        .slice(0, 3),
    ).to.deep.equal(['ORDER-001', 'ORDER-002', 'ORDER-003']);
    expect(sampleBatch(3)[0]).to.deep.equal(sampleOrder());
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
      itWithServices(label, async (services) => {
        const err = await refusal(services, breakIt);
        expect(err.field).to.equal(field);
        expect(err.message).to.contain(field);
        const audit = services.ledger.audit();
        expect(audit.charges.length + audit.reservations.length).to.equal(0);
      });
    }
    itWithServices('a valid order passes and reports its total', async (services) => {
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
      itWithServices(`${label}: refused, naming ${field}, and nothing is written`, async (services) => {
        const err = await refusal(services, breakIt);
        expect(err.field).to.equal(field);
        expect(err.message).to.contain(`invalid order: ${field} `);
        expect(err.message).to.contain(text);
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

  describe('prices and lines come from the catalog', () => {
    itWithServices(
      'a price that disagrees with the catalog is rejected, naming the field and the value',
      async (services) => {
        const err = await refusal(services, (o) => (o.items[0].unitPriceCents = 1));
        expect(err.field).to.equal('items[0].unitPriceCents');
        expect(err.message).to.equal(
          'invalid order: items[0].unitPriceCents is 1, but LAPTOP-15 costs 99999 in the catalog (prices come from the catalog)',
        );
      },
    );

    itWithServices('two lines of the same SKU are rejected, naming the repeated line', async (services) => {
      const err = await refusal(services, (o) => o.items.push({ ...o.items[0], quantity: 1 }));
      expect(err.field).to.equal('items[2].sku');
      expect(err.message).to.contain('repeats LAPTOP-15 from items[0]');
    });
  });
});
