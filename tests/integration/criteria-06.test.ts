/**
 * The before/after proof for lesson 06: the solution passes every criterion; the original monolith's
 * scorecard is asserted exactly (it completes a fault-free order and fails everything else).
 */
import { expect } from 'chai';
import { criteriaFor } from '../criteria/checks';
import { lessonTarget, originalTarget } from '../criteria/observation';
import { Score, scoreTarget } from '../criteria/scorecard';
import { afterEager } from '../support/eager';
import { itPassesEach, passedIds, scoreOf } from '../support/scorecards';

const CRITERIA = criteriaFor('06');
// Both targets are scored in the second wave (../support/eager.ts), side by side with the other graders.
const solutionScores = afterEager(() => scoreTarget(lessonTarget('solution', '06'), CRITERIA));
const originalScores = afterEager(() => scoreTarget(originalTarget('06'), CRITERIA));

describe('lesson 06 criteria', function () {
  this.timeout(180_000);

  describe('solution', () => {
    let scores: Score[];
    before(async () => {
      scores = await solutionScores();
    });
    itPassesEach(CRITERIA, () => scores);
  });

  describe('original (the monolith)', () => {
    // What the monolith gets right and wrong, exactly: it works when nothing fails, and nothing else.
    const EXPECTED_PASSES = ['06-happy-path'];
    let scores: Score[];
    before(async () => {
      scores = await originalScores();
    });
    it('has exactly the expected scorecard', () => {
      expect(passedIds(scores)).to.deep.equal(EXPECTED_PASSES);
    });
    it('fails the compensation criteria because it leaves orphaned charges', () => {
      const shipping = scoreOf(scores, '06-compensate-shipping-failure');
      expect(shipping.detail).to.match(/compensations seen in the ledger: none/);
      expect(shipping.observation!.audit.orphanedCharges).to.have.length(1);
      expect(shipping.observation!.audit.stuckReservations).to.have.length(1);
    });
    it('leaves what a half-done step did in place: the charge, the reservation, the booking', () => {
      const halfDone = scoreOf(scores, '06-compensate-half-done-steps');
      expect(halfDone.detail).to.equal(
        [
          'payment=after:4: the charge landed and the step then failed; the charge was never refunded',
          'inventory=after:4: the reservation landed and the step then failed; the charge was never refunded, and the reservation was never released',
          'shipping=after:4: the booking landed and the step then failed; the charge was never refunded, and the reservation was never released, and the booking was never cancelled',
        ].join('; '),
      );
    });
  });
});
