/**
 * The before/after proof for lesson 03: the solution passes every criterion; the original checkout has
 * its scorecard asserted exactly (it completes a fault-free order, and nothing else); and a cancelled
 * order is compensated like a failed one. The copies of the solution broken the way learners break it,
 * on which every criterion fails, run in the end-to-end phase: ../e2e/grader-variants-03.test.ts.
 *
 * Everything starts at once in the second wave (../support/eager.ts).
 */
import { expect } from 'chai';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { FaultPlan, LatencyPlan, sampleOrder } from '../../services';
import { criteriaFor } from '../criteria/checks';
import { lessonTarget, originalTarget } from '../criteria/observation';
import { withRig } from '../criteria/rig';
import { scoreTarget, type Score } from '../criteria/scorecard';
import { afterEager } from '../support/eager';
import { freshServices } from '../support/harness';
import { itPassesEach, passedIds, scoreOf } from '../support/scorecards';
import { testEnv } from '../../common/kit/server';

const CRITERIA = criteriaFor('03');

/**
 * The solution's order cancelled while both reservation calls are on their way (each takes 1.5 s): it
 * ends Cancelled, and the saga still undoes everything, once the reservations in flight have landed.
 */
async function cancelledMidFanOut() {
  const services = freshServices(FaultPlan.none(), undefined, LatencyPlan.parse('inventory=1500ms'));
  try {
    return await withRig(lessonTarget('solution', '03'), async (rig) => {
      const order = sampleOrder(`ORDER-03-cancel-${Date.now()}`);
      const release = rig.serve(order.orderId, services);
      try {
        const handle = await testEnv().client.workflow.start('sagaFanOutWorkflow', {
          taskQueue: rig.taskQueue,
          workflowId: `order-03-${order.orderId}`,
          args: [order],
          workflowExecutionTimeout: 20_000,
        });
        // Cancel once both reservation calls are on their way to the warehouses (each takes 1.5 s).
        while (services.ledger.calls({ step: 'inventory' }).filter((c) => c.outcome === 'started').length < 2) {
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await handle.cancel();
        const ended = await handle.result().then(
          () => 'completed',
          (err: unknown) =>
            err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure ? 'cancelled' : String(err),
        );
        return { ended, audit: services.ledger.audit(), calls: services.ledger.calls() };
      } finally {
        release();
      }
    });
  } finally {
    services.close();
  }
}

const scoring = afterEager(() =>
  Promise.all([
    scoreTarget(lessonTarget('solution', '03'), CRITERIA),
    scoreTarget(originalTarget('03'), CRITERIA),
    cancelledMidFanOut(),
  ] as const),
);

describe('lesson 03 criteria', function () {
  this.timeout(120_000);

  let solution: Score[];
  let original: Score[];
  let cancelled: Awaited<ReturnType<typeof cancelledMidFanOut>>;
  before(async () => {
    [solution, original, cancelled] = await scoring();
  });

  it('has its criteria in the lesson manifest, in the order of the Parts', () => {
    expect(CRITERIA.map((c) => `${c.part} ${c.id}`)).to.deep.equal([
      'A 03-happy-path',
      'A 03-one-call-per-attempt',
      'A 03-retry-policies',
      'B 03-undo-before-step',
      'B 03-compensate-in-reverse',
      'C 03-reservations-overlap',
      'C 03-steps-in-order',
      'D 03-no-stuck-reservation',
      'D 03-waits-for-running-branch',
      'E 03-status-shows-branches',
    ]);
  });

  describe('solution', () => {
    itPassesEach(CRITERIA, () => solution);

    it('waited for the east reservation in flight, and released it once it had landed', () => {
      expect(scoreOf(solution, '03-waits-for-running-branch').detail).to.match(
        /reserveAtWarehouse\(west\) failed at once; reserveAtWarehouse\(east\) was cancelled, settled/,
      );
    });

    it('a cancelled order ends Cancelled and is compensated all the same, after the reservations landed', () => {
      expect(cancelled.ended).to.equal('cancelled');
      const a = cancelled.audit;
      expect(a.charges).to.have.length(1);
      expect(a.refunds).to.have.length(1);
      expect(a.reservations).to.have.length(2);
      expect(a.releases).to.have.length(2);
      expect(a.shipments).to.have.length(0);
      expect(a.notifications).to.have.length(0);
      expect(a.orphanedCharges.length + a.stuckReservations.length).to.equal(0);
      expect(cancelled.calls.filter((c) => c.outcome === 'refused-late')).to.deep.equal([]);
    });
  });

  describe('original (the messy checkout)', () => {
    it('has exactly the expected scorecard: it completes a fault-free order, and nothing else', () => {
      expect(passedIds(original)).to.deep.equal(['03-happy-path']);
    });

    it('leaves the east reservation stuck and the card charged when the west warehouse is sold out', () => {
      const obs = scoreOf(original, '03-no-stuck-reservation').observation!;
      expect(obs.audit.stuckReservations.map((r) => r.key)).to.deep.equal([`inventory-east-03-${obs.order.orderId}`]);
      expect(obs.audit.orphanedCharges).to.have.length(1);
      expect(obs.audit.emailsForFailedOrders).to.have.length(1);
    });

    it('retries a charge that keeps timing out 100 times over, with no pause, until it goes through', () => {
      const s = scoreOf(original, '03-undo-before-step');
      expect(s.detail).to.equal(
        'the order completed although every payment call reported an error (101 payment calls)',
      );
    });
  });
});
