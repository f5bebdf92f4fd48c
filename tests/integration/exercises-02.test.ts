/**
 * Checks that keep lesson 02's exercises honest: the untouched starter fails every criterion, the
 * solution dropped into the exercise layout passes every one, the two trees mirror each other outside
 * the TODO regions, and every Part named in the code has its section in the lesson doc (and back). The
 * broken variants that make the grader name the right criterion run in the end-to-end phase:
 * ../e2e/grader-variants-02.test.ts.
 *
 * Every grading starts at once, in the second wave (one server, one worker per copy); each test then
 * reads its own result.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { LESSONS } from '../../common/lessons';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson } from '../criteria/grade';
import { mirrorProblems, partsNamedInCode } from '../criteria/mirror';
import { lessonTarget } from '../criteria/observation';
import { REPO_ROOT } from '../../services';
import { scoreTarget, type Score } from '../criteria/scorecard';
import { edit, exercisesCopy, removeVariants } from '../criteria/variants';
import { afterEager } from '../support/eager';

const LESSON = '02-order-processing';
const SOLUTION = path.join(REPO_ROOT, 'solution', LESSON);
const EXERCISES = path.join(REPO_ROOT, 'exercises', LESSON);
const DOC = path.join(REPO_ROOT, LESSONS['02'].doc);

after(() => removeVariants('02-'));

/** Started once, awaited by the test that reads it. */
function started<T>(run: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= run();
    return pending;
  };
}

const grading = {
  starter: started((): Promise<Score[]> => scoreTarget(lessonTarget('exercises', '02'), criteriaFor('02'))),
  // The same content as the starter run above: answered from the grader's content cache.
  starterPartC: started(() => gradeLesson('02', EXERCISES, 'C')),
  // Byte-identical to solution/: the grader's content cache shares this run with the solution's criteria test.
  proof: started(() => gradeLesson('02', exercisesCopy(LESSON, '02-proof', true))),
};

// Every grading starts in the second wave (../support/eager.ts), side by side with the other graders.
const startAll = afterEager(async () => {
  for (const run of Object.values(grading)) run().catch(() => undefined);
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
    const report = await grading.proof();
    expect(report.criteria.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).to.deep.equal([]);
    expect(report.total).to.equal(criteriaFor('02').length);
    expect(report.findings).to.deep.equal([]);
  });

  it('exercises and solution are identical outside the TODO regions', () => {
    expect(mirrorProblems(SOLUTION, EXERCISES)).to.deep.equal([]);
  });

  it('the mirror check notices a change outside a TODO region', () => {
    const dir = exercisesCopy(LESSON, '02-mirror');
    edit(
      path.join(dir, 'workflows', 'options.ts'),
      "startToCloseTimeout: '10 seconds'",
      "startToCloseTimeout: '11 seconds'",
    );
    expect(mirrorProblems(SOLUTION, dir).join('\n')).to.contain('workflows/options.ts');
  });

  it('every Part A–D has TODO markers and a section in the lesson doc, and back', () => {
    const inCode = [...partsNamedInCode(EXERCISES)].sort();
    expect(inCode).to.deep.equal(['A', 'B', 'C', 'D']);
    expect(Object.keys(LESSONS['02'].parts).sort()).to.deep.equal(inCode);
    const doc = fs.readFileSync(DOC, 'utf8');
    const inDoc = [...new Set([...doc.matchAll(/^## Part ([A-Z]):/gm)].map((m) => m[1]))].sort();
    expect(inDoc).to.deep.equal(inCode);
  });
});
