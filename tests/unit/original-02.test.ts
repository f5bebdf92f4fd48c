import { expect } from 'chai';
import { OrderProcessor } from '../../original/02-order-processing/order-processor';
import { LESSONS } from '../../common/lessons';
import { FaultPlan, sampleBatch, sampleOrder } from '../../services';
import { withFreshServices } from '../support/harness';
import { originalOutput } from '../support/original-cli';

const silent = { warn: () => undefined };

function runBatch(faults: FaultPlan, count: number) {
  return withFreshServices({ faults }, async (services) => {
    const processor = new OrderProcessor(services, { logger: silent, sleepMs: 0 });
    const outcomes = [];
    for (const order of sampleBatch(count)) outcomes.push(await processor.processOrder(order));
    return { outcomes, audit: services.ledger.audit(), calls: services.ledger.calls() };
  });
}

describe('original (lesson 02 order processor)', () => {
  it('the same seed gives the same outcomes; its loops retry up to 3 attempts per step', async () => {
    const a = await runBatch(FaultPlan.parse(LESSONS['02'].defaultFaults, 1), 30);
    const b = await runBatch(FaultPlan.parse(LESSONS['02'].defaultFaults, 1), 30);
    expect(a.outcomes).to.deep.equal(b.outcomes);
    expect(a.audit).to.deep.equal(b.audit);
    expect(Math.max(...a.calls.map((c) => c.attempt))).to.be.at.most(3);
    expect(Object.values(a.audit.totals.retriesByStep).reduce((x, y) => x + y, 0)).to.be.greaterThan(0);
  });

  it('computes the total and the shipping quote in process: $1,059.97 and $8.99 for the sample order', async () => {
    await withFreshServices({}, async (services) => {
      const outcome = await new OrderProcessor(services, { logger: silent }).processOrder(sampleOrder());
      expect(outcome).to.include({ status: 'completed', totalCents: 105_997, shippingCents: 899 });
    });
  });

  it('retries a declined card three times (it cannot tell a business error from a timeout)', async () => {
    await withFreshServices({}, async (services) => {
      const outcome = await new OrderProcessor(services, { logger: silent }).processOrder({
        ...sampleOrder(),
        paymentToken: 'tok_declined',
      });
      expect(outcome.status).to.equal('failed');
      expect(services.ledger.calls({ step: 'payment' })).to.have.length(3);
    });
  });

  it('with shipping=always every order is charged and reserved, and nothing is undone', async () => {
    const { outcomes, audit, calls } = await runBatch(FaultPlan.parse('shipping=always', 1), 5);
    expect(outcomes.every((o) => o.status === 'failed')).to.equal(true);
    expect(audit.orphanedCharges).to.have.length(5);
    expect(audit.stuckReservations).to.have.length(5);
    expect(calls.filter((c) => c.step === 'shipping')).to.have.length(15);
  });

  it('`npm run original -- --lesson 02` prints the same bytes for the same seed', async function () {
    this.timeout(60_000);
    const run = () => originalOutput(['--lesson', '02', '--seed', '1', '--orders', '12'], 'cli02');
    // Both runs at once, each with its own ledger: the same seed must print the same bytes either way.
    const [first, second] = await Promise.all([run(), run()]);
    expect(first).to.contain(
      'Original order processor (lesson 02): 12 orders, seed 1, faults payment=0.2,inventory=0.15,shipping=0.1',
    );
    expect(first).to.contain('12 orders:');
    expect(second).to.equal(first);
  });
});
