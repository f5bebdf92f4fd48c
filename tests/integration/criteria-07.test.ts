/**
 * The before/after proof for lesson 07: the solution passes every criterion; the original (the
 * monolith with `Promise.all`) has its scorecard asserted exactly: it completes a fault-free order,
 * and on a partial failure it leaves exactly the orphaned charge or the stuck reservation the
 * lesson is about. Both targets are scored at the same time.
 */
import { expect } from 'chai';
import { criteriaFor } from '../criteria/checks';
import { lessonTarget, originalTarget } from '../criteria/observation';
import { Score, scoreTarget } from '../criteria/scorecard';
import { afterEager } from '../support/eager';
import { itPassesEach, passedIds, scoreOf } from '../support/scorecards';

const CRITERIA = criteriaFor('07');
// Both targets are scored in the second wave (../support/eager.ts), side by side with the other graders.
const scoring = afterEager(() =>
  Promise.all([scoreTarget(lessonTarget('solution', '07'), CRITERIA), scoreTarget(originalTarget('07'), CRITERIA)]),
);

describe('lesson 07 criteria', function () {
  this.timeout(120_000);

  let solution: Score[];
  let original: Score[];
  before(async () => {
    [solution, original] = await scoring();
  });

  describe('solution', () => {
    itPassesEach(CRITERIA, () => solution);

    it('saw the reservation land after the decline and released it, not a reservation cancelled before it started', () => {
      const score = scoreOf(solution, '07-declined-while-reserving');
      expect(score.detail).to.contain('released once, after it landed');
    });
  });

  describe('original (the monolith with Promise.all)', () => {
    // It works when nothing fails, and nothing else.
    const EXPECTED_PASSES = ['07-happy-path'];
    it('has exactly the expected scorecard', () => {
      expect(passedIds(original)).to.deep.equal(EXPECTED_PASSES);
    });

    it('leaves the charge orphaned when inventory fails after the payment went through', () => {
      const score = scoreOf(original, '07-inventory-fails-after-payment');
      expect(score.detail).to.equal('the payment was not refunded: the customer stays charged');
      expect(score.observation!.audit.orphanedCharges).to.have.length(1);
    });

    it('leaves the reservation stuck when the card is declined while it is still in flight', () => {
      const score = scoreOf(original, '07-declined-while-reserving');
      expect(score.detail).to.match(/reservation is stuck: it landed after the card was declined/);
      const obs = score.observation!;
      expect(obs.audit.stuckReservations).to.have.length(1);
      expect(obs.audit.charges).to.have.length(0);
      // The monolith returned `failed` before the reservation landed: its own outcome knows nothing of it.
      expect(obs.outcome.kind).to.equal('failed');
    });
  });
});
