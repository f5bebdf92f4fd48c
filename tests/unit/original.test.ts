import { expect } from 'chai';
import { fulfillOrder } from '../../original/06-order-fulfillment/fulfill-order';
import { LESSONS } from '../../common/lessons';
import { FaultPlan, sampleBatch } from '../../services';
import { withFreshServices } from '../support/harness';
import { originalOutput } from '../support/original-cli';

const silent = { warn: () => undefined };

function runBatch(faults: FaultPlan, count: number) {
  return withFreshServices({ faults }, async (services) => {
    const outcomes = [];
    for (const order of sampleBatch(count)) outcomes.push(await fulfillOrder(order, services, silent));
    return { outcomes, audit: services.ledger.audit() };
  });
}

describe('original (lesson 06 monolith)', () => {
  it('the same seed gives the same outcomes; another seed gives others', async () => {
    const a = await runBatch(FaultPlan.parse(LESSONS['06'].defaultFaults, 1), 30);
    const b = await runBatch(FaultPlan.parse(LESSONS['06'].defaultFaults, 1), 30);
    const c = await runBatch(FaultPlan.parse(LESSONS['06'].defaultFaults, 2), 30);
    expect(a.outcomes).to.deep.equal(b.outcomes);
    expect(a.audit).to.deep.equal(b.audit);
    expect(c.outcomes).to.not.deep.equal(a.outcomes);
  });

  it('with shipping=always every order that was charged and reserved is orphaned with a stuck reservation', async () => {
    const { outcomes, audit } = await runBatch(FaultPlan.parse('payment=0.15,inventory=0.2,shipping=always', 3), 20);
    const reachedShipping = outcomes.filter((o) => o.steps.some((s) => s.step === 'shipping'));
    expect(reachedShipping.length).to.be.greaterThan(5);
    expect(outcomes.every((o) => o.status === 'failed')).to.equal(true);
    const orphaned = new Set(audit.orphanedCharges.map((c) => c.orderId));
    const stuck = new Set(audit.stuckReservations.map((r) => r.orderId));
    for (const outcome of reachedShipping) {
      expect(orphaned.has(outcome.orderId), `${outcome.orderId} orphaned`).to.equal(true);
      expect(stuck.has(outcome.orderId), `${outcome.orderId} stuck`).to.equal(true);
    }
    expect(audit.shipments).to.have.length(0);
    expect(audit.refunds).to.have.length(0);
  });

  it('`npm run original` prints the same bytes for the same seed', async function () {
    this.timeout(60_000);
    const run = () => originalOutput(['--seed', '7', '--orders', '12'], 'cli');
    // Both runs at once, each with its own ledger: the same seed must print the same bytes either way.
    const [first, second] = await Promise.all([run(), run()]);
    expect(first).to.contain('12 orders:');
    expect(second).to.equal(first);
  });
});
