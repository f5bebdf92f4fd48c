/**
 * The lesson-03 original (the messy checkout), without a server: the same seed gives the same run (the
 * outcomes, the warnings and the ledger that `npm run original -- --lesson 03` prints, so the same
 * output byte for byte), and the seeded batch shows every kind of damage the lesson is about: charges
 * for orders that never shipped, a reservation left at one warehouse when another failed, and
 * "has shipped" emails for orders that failed.
 */
import { expect } from 'chai';
import { LESSONS } from '../../common/lessons';
import { checkout } from '../../original/03-saga-fan-out/checkout';
import { FaultPlan, sampleBatch, sampleOrder } from '../../services';
import { settled, withFreshServices } from '../support/harness';

/** What `npm run original -- --lesson 03` prints from, for one batch: each outcome, its warnings, the ledger. */
function runBatch(faults: FaultPlan, count: number) {
  return withFreshServices({ faults }, async (services) => {
    const runs = [];
    for (const order of sampleBatch(count)) {
      const warnings: string[] = [];
      const outcome = await checkout(order, services, { warn: (line: string) => warnings.push(line) });
      await settled(services);
      runs.push({ outcome, warnings });
    }
    return { runs, audit: services.ledger.audit(), calls: services.ledger.calls() };
  });
}

describe('original (lesson 03: the messy checkout)', () => {
  const seeded = () => FaultPlan.parse(LESSONS['03'].defaultFaults, 1);

  it('the same seed gives the same run', async () => {
    const [a, b] = [await runBatch(seeded(), 20), await runBatch(seeded(), 20)];
    expect(JSON.stringify(a)).to.equal(JSON.stringify(b));
  });

  it('seed 1 shows every kind of damage: orphaned charges, partial reservations stuck, emails for failed orders', async () => {
    const { audit, runs } = await runBatch(seeded(), 20);
    expect(audit.orphanedCharges.length).to.be.greaterThan(0);
    // Partial: one warehouse of the order failed, and another's reservation stayed locked.
    const partial = runs.filter(
      ({ outcome }) =>
        outcome.steps.some((s) => s.step.startsWith('stock@') && !s.ok) &&
        audit.stuckReservations.some((r) => r.orderId === outcome.orderId),
    );
    expect(partial.length).to.be.greaterThan(0);
    expect(audit.emailsForFailedOrders.length).to.be.greaterThan(0);
    expect(audit.refunds).to.deep.equal([]);
    expect(audit.releases).to.deep.equal([]);
    // The unbounded payment loop went round more than once somewhere, and always ended.
    expect(audit.totals.retriesByStep.payment).to.be.greaterThan(0);
  });

  it('emails "has shipped" before anything is reserved, and keeps the email when the order fails', async () => {
    await withFreshServices({ faults: FaultPlan.parse('shipping=always') }, async (services) => {
      const outcome = await checkout(sampleOrder('ORDER-001'), services, { warn: () => undefined });
      await settled(services);
      expect(outcome.status).to.equal('failed');
      const calls = services.ledger.calls().map((c) => c.step);
      expect(calls.indexOf('notification')).to.be.lessThan(calls.indexOf('inventory'));
      const audit = services.ledger.audit();
      expect(audit.emailsForFailedOrders.map((n) => n.orderId)).to.deep.equal(['ORDER-001']);
      expect(audit.orphanedCharges).to.have.length(1);
      expect(audit.stuckReservations).to.have.length(2);
    });
  });
});
