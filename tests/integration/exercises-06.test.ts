/**
 * Checks that keep lesson 06's exercises honest: the untouched starter fails every criterion, the
 * solution dropped into the exercise layout passes every one, the two trees mirror each other outside
 * the TODO regions, and deliberately broken variants make the grader name the right criterion and
 * explanation without hanging.
 */
import { expect } from 'chai';
import path from 'node:path';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson } from '../criteria/grade';
import { mirrorProblems, partsNamedInCode, segmentsOutsideTodos } from '../criteria/mirror';
import { lessonTarget, REPO_ROOT } from '../criteria/observe';
import { scoreTarget } from '../criteria/scorecard';
import { criterion, edit, exercisesCopy, removeVariants, variant as variantOf } from '../criteria/variants';

const LESSON = '06-order-fulfillment';
const SOLUTION = path.join(REPO_ROOT, 'solution', LESSON);
const EXERCISES = path.join(REPO_ROOT, 'exercises', LESSON);

after(() => removeVariants());

const variant = (name: string, mutate: (dir: string) => void) => variantOf(LESSON, name, mutate);

describe('lesson 06 exercises', function () {
  this.timeout(180_000);

  it('the untouched starter fails every graded criterion', async () => {
    const scores = await scoreTarget(lessonTarget('exercises', '06'), criteriaFor('06'));
    expect(scores).to.have.length(criteriaFor('06').length);
    const passing = scores.filter((s) => s.pass).map((s) => s.criterion.id);
    expect(passing, 'criteria the starter passes').to.deep.equal([]);
    // It fails fast with the Part's name, not by hanging until a timeout.
    for (const s of scores) expect(s.observation?.outcome.kind, s.criterion.id).to.equal('failed');
  });

  it('proof swap: the solution copied over the exercises passes every criterion', async () => {
    const dir = exercisesCopy(LESSON, 'proof', true);
    const report = await gradeLesson('06', dir);
    expect(report.criteria.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).to.deep.equal([]);
    expect(report.findings).to.deep.equal([]);
  });

  it('exercises and solution are identical outside the TODO regions', () => {
    expect(mirrorProblems(SOLUTION, EXERCISES)).to.deep.equal([]);
  });

  it('the mirror check notices a change outside a TODO region', () => {
    const dir = exercisesCopy(LESSON, 'mirror');
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

  describe('broken variants: the grader names the criterion and the cause', () => {
    it('a plain Error thrown in workflow code', async () => {
      const dir = variant('plain-error', (d) =>
        edit(
          path.join(d, 'workflows', 'payment.ts'),
          /return runTracked\(/,
          "throw new Error('card service misconfigured');\n  return runTracked(",
        ),
      );
      const report = await gradeLesson('06', dir, 'B');
      const happy = criterion(report, '06-happy-path');
      expect(happy.pass).to.equal(false);
      expect(happy.explanation).to.match(
        /workflow task keeps failing in payment-.*workflows\/payment\.ts:\d+ throws a plain Error/s,
      );
    });

    it('a Node module imported into workflow code', async () => {
      const dir = variant('node-import', (d) => {
        const file = path.join(d, 'workflows', 'order-fulfillment.ts');
        edit(file, /^/, "import fs from 'node:fs';\n");
        edit(
          file,
          '  setHandler(orderStatusQuery, () => progress.status);',
          "  setHandler(orderStatusQuery, () => progress.status);\n  if (fs.existsSync('/tmp/pause')) progress.warn('paused');",
        );
      });
      const report = await gradeLesson('06', dir, 'B');
      for (const c of report.criteria) {
        expect(c.pass, c.id).to.equal(false);
        expect(c.explanation, c.id).to.match(
          /bundle could not be built: .*workflows\/order-fulfillment\.ts:1 imports the Node module "node:fs"/,
        );
      }
    });

    it('a missing await', async () => {
      const dir = variant('missing-await', (d) =>
        edit(
          path.join(d, 'workflows', 'order-fulfillment.ts'),
          "    await progress.runChild('payment', () =>",
          "    progress.runChild('payment', () =>",
        ),
      );
      const report = await gradeLesson('06', dir, 'B');
      const inOrder = criterion(report, '06-children-in-order');
      expect(inOrder.pass).to.equal(false);
      expect(inOrder.explanation).to.match(
        /workflows\/order-fulfillment\.ts:\d+ calls progress\.runChild\(…\) without await/,
      );
    });

    it('children started in the wrong order', async () => {
      const dir = variant('wrong-order', (d) => {
        const file = path.join(d, 'workflows', 'order-fulfillment.ts');
        edit(file, 'executeChild(paymentWorkflow,', 'executeChild(PLACEHOLDER,');
        edit(file, 'executeChild(inventoryWorkflow,', 'executeChild(paymentWorkflow,');
        edit(file, 'executeChild(PLACEHOLDER,', 'executeChild(inventoryWorkflow,');
      });
      const report = await gradeLesson('06', dir, 'B');
      const inOrder = criterion(report, '06-children-in-order');
      expect(inOrder.pass).to.equal(false);
      expect(inOrder.detail).to.match(/children started in the order inventory/);
    });

    it('no compensation', async () => {
      const dir = variant('no-compensation', (d) =>
        edit(path.join(d, 'workflows', 'order-fulfillment.ts'), '    await saga.compensate();\n', ''),
      );
      const report = await gradeLesson('06', dir, 'C');
      const shipping = criterion(report, '06-compensate-shipping-failure');
      expect(shipping.pass).to.equal(false);
      expect(shipping.detail).to.match(/compensations seen in the ledger: none/);
      expect(criterion(report, '06-compensate-inventory-failure').detail).to.match(/not refunded/);
      // The email criterion is in Part C too, and still passes: the grader is precise, not all-or-nothing.
      expect(criterion(report, '06-notification-failure-tolerated').pass).to.equal(true);
    });
  });
});
