/**
 * Checks that keep lesson 06's exercises honest: the untouched starter fails every criterion, and the
 * solution dropped into the exercise layout passes every one. That the two trees mirror each other
 * outside the TODO regions is checked for every lesson in ./exercises-mirror.test.ts. The broken variants
 * that make the grader name the right criterion and explanation run in the end-to-end phase:
 * ../e2e/grader-variants-06.test.ts.
 *
 * Both gradings start at once, in the second wave (one server, one worker per copy). Each test then reads
 * its own result, so a failure is still reported by the test that owns it.
 */
import { expect } from 'chai';
import { LESSONS } from '../../common/lessons';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson } from '../criteria/grade';
import { partsNamedInCode, segmentsOutsideTodos } from '../criteria/mirror';
import { lessonTarget } from '../criteria/observation';
import { scoreTarget, type Score } from '../criteria/scorecard';
import { exercisesCopy, removeVariants } from '../criteria/variants';
import { lessonTrees } from '../support/exercises';
import { expectEveryCriterionPassed, secondWaveGradings } from '../support/gradings';

const LESSON = LESSONS['06'].folder;
const { exercises: EXERCISES } = lessonTrees('06');

after(() => removeVariants('06-'));

const { grading, startAll } = secondWaveGradings({
  starter: (): Promise<Score[]> => scoreTarget(lessonTarget('exercises', '06'), criteriaFor('06')),
  // Byte-identical to solution/: the grader's content cache shares this run with the solution's criteria test.
  proof: () => gradeLesson('06', exercisesCopy(LESSON, '06-proof', true)),
});

describe('lesson 06 exercises', function () {
  this.timeout(120_000);

  before(() => startAll());

  it('the untouched starter fails every graded criterion', async () => {
    const scores = await grading.starter();
    expect(scores).to.have.length(criteriaFor('06').length);
    const passing = scores.filter((s) => s.pass).map((s) => s.criterion.id);
    expect(passing, 'criteria the starter passes').to.deep.equal([]);
    // It fails fast with the Part's name, not by hanging until a timeout.
    for (const s of scores) expect(s.observation?.outcome.kind, s.criterion.id).to.equal('failed');
  });

  it('proof swap: the solution copied over the exercises passes every criterion', async () => {
    expectEveryCriterionPassed(await grading.proof(), '06');
  });

  it('every Part A–E has TODO markers, and regions are closed', () => {
    expect([...partsNamedInCode(EXERCISES)].sort()).to.deep.equal(['A', 'B', 'C', 'D', 'E']);
    expect(() => segmentsOutsideTodos(['// TODO Part A: x', 'y'])).to.throw('END TODO Part A');
  });
});
