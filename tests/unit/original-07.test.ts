/**
 * The lesson-07 monolith (`Promise.all` over payment and inventory), without a server: what it leaves
 * behind is reproducible from the seed, and a call it stopped waiting for still lands afterwards.
 */
import { expect } from 'chai';
import { LESSONS } from '../../common/lessons';
import { fulfillOrderInParallel } from '../../original/07-parallel-fulfillment/fulfill-order-parallel';
import { FaultPlan, LatencyPlan, sampleBatch, sampleOrder } from '../../services';
import { settled, withFreshServices } from '../support/harness';

const silent = { warn: () => undefined };

function runBatch(faults: FaultPlan, latency: LatencyPlan, count: number) {
  return withFreshServices({ faults, latency }, async (services) => {
    const outcomes = [];
    for (const order of sampleBatch(count)) {
      outcomes.push(await fulfillOrderInParallel(order, services, silent));
      await settled(services);
    }
    return { outcomes, audit: services.ledger.audit() };
  });
}

describe('original (lesson 07 monolith with Promise.all)', () => {
  it('the same seed and faults give the same outcomes and the same ledger', async () => {
    const a = await runBatch(FaultPlan.parse(LESSONS['07'].defaultFaults, 1), LatencyPlan.none(), 30);
    const b = await runBatch(FaultPlan.parse(LESSONS['07'].defaultFaults, 1), LatencyPlan.none(), 30);
    expect(a.outcomes).to.deep.equal(b.outcomes);
    expect(a.audit).to.deep.equal(b.audit);
    // Both ways a branch is left behind occur: a charge with no shipment, a reservation with no order.
    expect(a.audit.orphanedCharges.length).to.be.greaterThan(0);
    expect(a.audit.stuckReservations.some((r) => !a.audit.charges.some((c) => c.orderId === r.orderId))).to.equal(true);
  });

  it('a declined card while the reservation is on its way: it returns failed, then the reservation lands', async () => {
    await withFreshServices({ latency: LatencyPlan.parse('inventory=50ms') }, async (services) => {
      const order = { ...sampleOrder('ORDER-001'), paymentToken: 'tok_declined' };
      const outcome = await fulfillOrderInParallel(order, services, silent);
      expect(outcome.status).to.equal('failed');
      expect(outcome.steps).to.deep.equal([
        { step: 'payment', ok: false, detail: 'card declined for order ORDER-001' },
      ]);
      // When it returned, the reservation was still on its way …
      expect(services.ledger.audit().reservations).to.have.length(0);
      expect(services.ledger.calls({ step: 'inventory' }).map((c) => c.outcome)).to.deep.equal(['started']);
      await settled(services);
      // … and then it landed, for an order nobody will ship.
      const audit = services.ledger.audit();
      expect(audit.reservations).to.have.length(1);
      expect(audit.stuckReservations.map((r) => r.orderId)).to.deep.equal(['ORDER-001']);
      expect(audit.charges).to.have.length(0);
    });
  });
});
