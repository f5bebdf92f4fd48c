/**
 * Checks that keep lesson 02's exercises honest: the untouched starter fails every criterion, the
 * solution dropped into the exercise layout passes every one, and every Part named in the code has its
 * section in the lesson doc (and back). That the two trees mirror each other outside the TODO regions is
 * checked for every lesson in ./exercises-mirror.test.ts. The broken variants that make the grader name
 * the right criterion run in the end-to-end phase: ../e2e/grader-variants-02.test.ts.
 *
 * Every grading starts at once, in the second wave (one server, one worker per copy); each test then
 * reads its own result.
 */
import { expect } from 'chai';
import { LESSONS } from '../../common/lessons';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson } from '../criteria/grade';
import { partsNamedInCode } from '../criteria/mirror';
import { lessonTarget } from '../criteria/observation';
import { scoreTarget, type Score } from '../criteria/scorecard';
import { exercisesCopy, removeVariants } from '../criteria/variants';
import { lessonTrees, partsInDoc } from '../support/exercises';
import { expectEveryCriterionPassed, secondWaveGradings } from '../support/gradings';

const LESSON = LESSONS['02'].folder;
const { exercises: EXERCISES } = lessonTrees('02');

after(() => removeVariants('02-'));

const { grading, startAll } = secondWaveGradings({
  starter: (): Promise<Score[]> => scoreTarget(lessonTarget('exercises', '02'), criteriaFor('02')),
  // The same content as the starter run above: answered from the grader's content cache.
  starterPartC: () => gradeLesson('02', EXERCISES, 'C'),
  // Byte-identical to solution/: the grader's content cache shares this run with the solution's criteria test.
  proof: () => gradeLesson('02', exercisesCopy(LESSON, '02-proof', true)),
});

describe('lesson 02 exercises', function () {
  this.timeout(120_000);

  before(() => startAll());

  it('the untouched starter fails every graded criterion, fast, naming a TODO Part', async () => {
    const scores = await grading.starter();
    expect(scores).to.have.length(criteriaFor('02').length);
    const passing = scores.filter((s) => s.pass).map((s) => s.criterion.id);
    expect(passing, 'criteria the starter passes').to.deep.equal([]);
    for (const s of scores) {
      const outcome = s.observation?.outcome;
      expect(outcome?.kind, s.criterion.id).to.equal('failed');
      expect((outcome as { root?: string }).root, s.criterion.id).to.match(/^TODO Part [A-D]:/);
    }
  });

  it('the grader explains the starter as a TODO', async () => {
    const report = await grading.starterPartC();
    expect(report.passed).to.equal(0);
    for (const c of report.criteria) expect(c.explanation, c.id).to.match(/^Still a TODO: TODO Part C:/);
  });

  it('proof swap: the solution copied over the exercises passes every criterion', async () => {
    expectEveryCriterionPassed(await grading.proof(), '02');
  });

  it('every Part A–D has TODO markers and a section in the lesson doc, and back', () => {
    const inCode = [...partsNamedInCode(EXERCISES)].sort();
    expect(inCode).to.deep.equal(['A', 'B', 'C', 'D']);
    expect(Object.keys(LESSONS['02'].parts).sort()).to.deep.equal(inCode);
    expect(partsInDoc('02')).to.deep.equal(inCode);
  });
});
