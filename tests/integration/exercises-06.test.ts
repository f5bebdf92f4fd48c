/**
 * Checks that keep lesson 06's exercises honest: the untouched starter fails every criterion, the
 * solution dropped into the exercise layout passes every one, and the two trees mirror each other outside
 * the TODO regions. The broken variants that make the grader name the right criterion and explanation
 * run in the end-to-end phase: ../e2e/grader-variants-06.test.ts.
 *
 * Both gradings start at once, in the second wave (one server, one worker per copy). Each test then reads
 * its own result, so a failure is still reported by the test that owns it.
 */
import { expect } from 'chai';
import path from 'node:path';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson } from '../criteria/grade';
import { mirrorProblems, partsNamedInCode, segmentsOutsideTodos } from '../criteria/mirror';
import { lessonTarget } from '../criteria/observation';
import { REPO_ROOT } from '../../services';
import { scoreTarget, type Score } from '../criteria/scorecard';
import { edit, exercisesCopy, removeVariants } from '../criteria/variants';
import { afterEager } from '../support/eager';

const LESSON = '06-order-fulfillment';
const SOLUTION = path.join(REPO_ROOT, 'solution', LESSON);
const EXERCISES = path.join(REPO_ROOT, 'exercises', LESSON);

after(() => removeVariants('06-'));

/** Started once, awaited by the test that reads it. */
function started<T>(run: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= run();
    return pending;
  };
}

const grading = {
  starter: started((): Promise<Score[]> => scoreTarget(lessonTarget('exercises', '06'), criteriaFor('06'))),
  // Byte-identical to solution/: the grader's content cache shares this run with the solution's criteria test.
  proof: started(() => gradeLesson('06', exercisesCopy(LESSON, '06-proof', true))),
};

// Every grading starts in the second wave (../support/eager.ts), side by side with the other graders.
const startAll = afterEager(async () => {
  for (const run of Object.values(grading)) run().catch(() => undefined);
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
    const report = await grading.proof();
    expect(report.criteria.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).to.deep.equal([]);
    expect(report.total).to.equal(criteriaFor('06').length);
    expect(report.findings).to.deep.equal([]);
  });

  it('exercises and solution are identical outside the TODO regions', () => {
    expect(mirrorProblems(SOLUTION, EXERCISES)).to.deep.equal([]);
  });

  it('the mirror check notices a change outside a TODO region', () => {
    const dir = exercisesCopy(LESSON, '06-mirror');
    edit(
      path.join(dir, 'workflows', 'options.ts'),
      "startToCloseTimeout: '10 seconds'",
      "startToCloseTimeout: '11 seconds'",
    );
    expect(mirrorProblems(SOLUTION, dir).join('\n')).to.contain('workflows/options.ts');
  });

  it('every Part A–E has TODO markers, and regions are closed', () => {
    expect([...partsNamedInCode(EXERCISES)].sort()).to.deep.equal(['A', 'B', 'C', 'D', 'E']);
    expect(() => segmentsOutsideTodos(['// TODO Part A: x', 'y'])).to.throw('END TODO Part A');
  });
});
