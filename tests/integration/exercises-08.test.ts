/**
 * Checks that keep lesson 08's exercises honest: the untouched starter fails every criterion (its v2 is
 * the change as first written, so the order in flight stops with a non-determinism error and the grader
 * says so), and the solution dropped into the exercise layout passes every one. That the trees mirror
 * each other outside the TODO regions is checked for every lesson in ./exercises-mirror.test.ts. The
 * broken variants (the patched() guards replaced by `true`, a replay test that never reports a failure)
 * run in the end-to-end phase: ../e2e/grader-variants-08.test.ts.
 *
 * Both gradings start at once, in the second wave (../support/eager.ts).
 */
import { expect } from 'chai';
import { LESSONS } from '../../common/lessons';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson } from '../criteria/grade';
import { partsNamedInCode } from '../criteria/mirror';
import { criterion, exercisesCopy, removeVariants } from '../criteria/variants';
import { lessonTrees, partsInDoc } from '../support/exercises';
import { expectEveryCriterionPassed, secondWaveGradings } from '../support/gradings';

const LESSON = LESSONS['08'].folder;
const { exercises: EXERCISES } = lessonTrees('08');

after(() => removeVariants('08-'));

const { grading, startAll } = secondWaveGradings({
  starter: () => gradeLesson('08', EXERCISES),
  proof: () => gradeLesson('08', exercisesCopy(LESSON, '08-proof', true)),
});

describe('lesson 08 exercises', function () {
  this.timeout(120_000);

  before(() => startAll());

  it('the untouched starter fails every criterion: TODOs in Parts A and C, a non-determinism error in Part B', async () => {
    const report = await grading.starter();
    expect(report.total).to.equal(criteriaFor('08').length);
    expect(report.criteria.filter((c) => c.pass).map((c) => c.id)).to.deep.equal([]);
    expect(criterion(report, '08-replay-test').explanation).to.match(/^Still a TODO: TODO Part A:/);
    expect(criterion(report, '08-patch-retired').explanation).to.match(/^Still a TODO: TODO Part C: build v3/);
    const old = criterion(report, '08-old-orders-finish');
    expect(old.detail).to.match(
      /started on v1 and in flight \(shipping\) during the deploy, stopped with a non-determinism error/,
    );
    expect(old.explanation).to.match(
      /^Nondeterminism in order-08-ORDER-held-\w+: .*Activity type of scheduled event 'chargePayment' does not match activity type of activity command 'checkFraud'/,
    );
    expect(criterion(report, '08-new-orders-fraud-check').detail).to.match(/records no 'fraud-check' patch marker/);
  });

  it('proof swap: the solution copied over the exercises passes every criterion', async () => {
    expectEveryCriterionPassed(await grading.proof(), '08');
  });

  it('every Part A–C has TODO markers and a section in the lesson doc, and back', () => {
    const inCode = [...partsNamedInCode(EXERCISES)].sort();
    expect(inCode).to.deep.equal(['A', 'B', 'C']);
    expect(Object.keys(LESSONS['08'].parts).sort()).to.deep.equal(inCode);
    expect(partsInDoc('08')).to.deep.equal(inCode);
  });
});
