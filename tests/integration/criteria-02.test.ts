/**
 * The before/after proof for lesson 02: the solution passes every criterion; the original order
 * processor's scorecard is asserted exactly (its retry loops complete a fault-free order, but
 * nothing about them is visible, capped in the open, or able to tell a declined card from a timeout).
 */
import { expect } from 'chai';
import { criteriaFor } from '../criteria/checks';
import { lessonTarget, originalTarget } from '../criteria/observation';
import { Score, scoreTarget } from '../criteria/scorecard';
import { afterEager } from '../support/eager';
import { itPassesEach, passedIds, scoreOf } from '../support/scorecards';

const CRITERIA = criteriaFor('02');
// Both targets are scored in the second wave (../support/eager.ts), side by side with the other graders.
const solutionScores = afterEager(() => scoreTarget(lessonTarget('solution', '02'), CRITERIA));
const originalScores = afterEager(() => scoreTarget(originalTarget('02'), CRITERIA));

describe('lesson 02 criteria', function () {
  this.timeout(180_000);

  it('has its criteria in the lesson manifest, in the order of the Parts', () => {
    expect(CRITERIA.map((c) => `${c.part} ${c.id}`)).to.deep.equal([
      'A 02-one-call-per-attempt',
      'B 02-totals-in-workflow',
      'C 02-happy-path',
      'C 02-activities-in-order',
      'D 02-retry-policy',
      'D 02-retries-capped',
      'D 02-business-errors-not-retried',
    ]);
  });

  describe('solution', () => {
    let scores: Score[];
    before(async () => {
      scores = await solutionScores();
    });
    itPassesEach(CRITERIA, () => scores);
    it('reports a failure bottom-up: the top says where, the root cause says what', () => {
      const declined = scoreOf(scores, '02-business-errors-not-retried').observation!.outcome;
      expect(declined).to.include({ kind: 'failed', type: 'OrderFailed' });
      expect((declined as { message: string }).message).to.match(
        /^order ORDER-02-declined-\S+ failed at payment: card declined for order ORDER-02-declined-\S+$/,
      );
      expect((declined as { root?: string }).root).to.match(/^card declined for order/);
    });
    it('still leaves the charge orphaned when inventory fails for good (no compensation until lesson 06)', () => {
      const capped = scoreOf(scores, '02-retries-capped').observation!;
      expect(capped.audit.orphanedCharges).to.have.length(1);
      expect(capped.audit.refunds).to.have.length(0);
    });
  });

  describe('original (the order processor with naive retry loops)', () => {
    // Exactly what the original gets right: a fault-free order. Its retries are real but invisible,
    // and it retries a declined card three times.
    const EXPECTED_PASSES = ['02-happy-path'];
    let scores: Score[];
    before(async () => {
      scores = await originalScores();
    });
    it('has exactly the expected scorecard', () => {
      expect(passedIds(scores)).to.deep.equal(EXPECTED_PASSES);
    });
    it('retries a declined card three times', () => {
      const declined = scoreOf(scores, '02-business-errors-not-retried');
      expect(declined.detail).to.match(/called 3 time\(s\) for a declined card/);
    });
    it('caps inventory at 3 calls too, but nothing outside the process can see them', () => {
      const capped = scoreOf(scores, '02-retries-capped');
      expect(capped.observation!.calls.filter((c) => c.step === 'inventory')).to.have.length(3);
      expect(capped.detail).to.match(/no workflow history/);
    });
  });
});
