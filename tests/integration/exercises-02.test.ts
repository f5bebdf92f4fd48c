/**
 * Checks that keep lesson 02's exercises honest: the untouched starter fails every criterion, the
 * solution dropped into the exercise layout passes every one, the two trees mirror each other outside
 * the TODO regions, every Part named in the code has its section in the lesson doc (and back), and
 * deliberately broken variants make the grader name the right criterion.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { LESSONS } from '../../common/lessons';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson } from '../criteria/grade';
import { mirrorProblems, partsNamedInCode } from '../criteria/mirror';
import { lessonTarget, REPO_ROOT } from '../criteria/observe';
import { scoreTarget } from '../criteria/scorecard';
import { criterion, edit, exercisesCopy, removeVariants, variant as variantOf } from '../criteria/variants';

const LESSON = '02-order-processing';
const SOLUTION = path.join(REPO_ROOT, 'solution', LESSON);
const EXERCISES = path.join(REPO_ROOT, 'exercises', LESSON);
const DOC = path.join(REPO_ROOT, LESSONS['02'].doc);

after(() => removeVariants('02-'));

const variant = (name: string, mutate: (dir: string) => void) => variantOf(LESSON, `02-${name}`, mutate);

describe('lesson 02 exercises', function () {
  this.timeout(180_000);

  it('the untouched starter fails every graded criterion, fast, naming a TODO Part', async () => {
    const scores = await scoreTarget(lessonTarget('exercises', '02'), criteriaFor('02'));
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
    const report = await gradeLesson('02', EXERCISES, 'C');
    expect(report.passed).to.equal(0);
    for (const c of report.criteria) expect(c.explanation, c.id).to.match(/^Still a TODO: TODO Part C:/);
  });

  it('proof swap: the solution copied over the exercises passes every criterion', async () => {
    const dir = exercisesCopy(LESSON, '02-proof', true);
    const report = await gradeLesson('02', dir);
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

  describe('broken variants: the grader names the criterion and the cause', () => {
    it('a naive retry loop left inside an activity', async () => {
      const dir = variant('loop', (d) =>
        edit(
          path.join(d, 'activities.ts'),
          'const receipt = await call(() => services.payment.charge(input));',
          `let receipt;
      for (let attempt = 1; ; attempt++) {
        try {
          receipt = await call(() => services.payment.charge(input));
          break;
        } catch (err) {
          if (attempt >= 3) throw err;
        }
      }`,
        ),
      );
      const report = await gradeLesson('02', dir, 'A');
      const once = criterion(report, '02-one-call-per-attempt');
      expect(once.pass).to.equal(false);
      expect(once.detail).to.match(
        /chargePayment called the payment service 2 times in one attempt: a retry loop inside the activity/,
      );
    });

    it('business errors left retryable', async () => {
      const dir = variant('retryable', (d) =>
        edit(
          path.join(d, 'activities.ts'),
          'throw ApplicationFailure.nonRetryable(err.message, err.code);',
          'throw err;',
        ),
      );
      const report = await gradeLesson('02', dir, 'D');
      const declined = criterion(report, '02-business-errors-not-retried');
      expect(declined.pass).to.equal(false);
      expect(declined.detail).to.match(/called 3 time\(s\) for a declined card/);
      expect(criterion(report, '02-retry-policy').pass).to.equal(true);
    });

    it('no retry policy limit: the grader says where, without waiting for ever', async () => {
      const dir = variant('unlimited', (d) =>
        edit(path.join(d, 'workflows', 'options.ts'), '    maximumAttempts: 3,\n', ''),
      );
      const report = await gradeLesson('02', dir, 'D');
      const policy = criterion(report, '02-retry-policy');
      expect(policy.pass).to.equal(false);
      expect(policy.detail).to.match(/maximumAttempts unset \(unlimited\)/);
      expect(report.findings.map((f) => f.kind)).to.include('unlimited-retries');
      const capped = criterion(report, '02-retries-capped');
      expect(capped.pass).to.equal(false);
      expect(capped.detail).to.match(/the inventory service was called \d+ time\(s\); expected exactly 3/);
      expect(capped.explanation).to.match(
        /inventory step was tried \d+ times .*workflows\/options\.ts:\d+ sets a retry policy without maximumAttempts/,
      );
    });
  });
});
