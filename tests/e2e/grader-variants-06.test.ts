/**
 * Lesson 06's broken variants: copies of the solution with one mistake each (a plain Error or a Node
 * import in workflow code, a missing await, children in the wrong order, no compensation or an undo
 * registered after its step, retry policies on the children instead of their activities, the parent's
 * query misnamed or registered late), each proving that the grader names the criterion it breaks and
 * explains the cause, without hanging. They run in the end-to-end phase, once in CI: they do not depend on
 * the Node version, and they would not fit in `npm test`'s budget. The starter and the proof swap stay in
 * ../integration/exercises-06.test.ts.
 *
 * Every grading starts at once, in the second wave (../support/eager.ts; one server, one worker per copy;
 * they mostly wait on retry backoff), and each variant is graded only on the criteria it breaks. Each test
 * then reads its own result, so a failure is still reported by the test that owns it.
 */
import { expect } from 'chai';
import path from 'node:path';
import { criteriaFor } from '../criteria/checks';
import { firstFailingPart, type GradeReport } from '../criteria/grade';
import { criterion, edit } from '../criteria/variants';
import { brokenCopiesOf, failedCriterion, secondWaveGradings } from '../support/gradings';

const broken = brokenCopiesOf('06');
after(() => broken.remove());

/** The inventory step's undo, as the solution registers it: before the step. */
const RELEASE_UNDO = `    saga.addUndo('release inventory', 'inventory', async () => {
      const receipt = await releaseInventory({
        idempotencyKey: \`release-\${inventoryId}\`,
        orderId,
        reservationKey: inventoryId,
      });
      return receipt.released;
    });
`;

/** A retry policy on a child workflow: the whole child runs again, instead of its activity. */
const CHILD_RETRY = "retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumAttempts: 4 },";

/**
 * Part E's TODO left as the starter has it (forward steps get one attempt), and a retry policy on each
 * of these `children` instead.
 */
function retryChildrenInstead(dir: string, children: string[]): void {
  edit(
    path.join(dir, 'workflows', 'options.ts'),
    / {2}retry: \{\n {4}initialInterval: '500 milliseconds',[^}]*\},\n/,
    '  retry: { maximumAttempts: 1 },\n',
  );
  const file = path.join(dir, 'workflows', 'order-fulfillment.ts');
  for (const child of children)
    edit(file, `executeChild(${child}Workflow, {\n`, `executeChild(${child}Workflow, {\n        ${CHILD_RETRY}\n`);
}

const { grading, startAll } = secondWaveGradings({
  plainError: () =>
    broken.grade(
      'plain-error',
      (d) =>
        edit(
          path.join(d, 'workflows', 'payment.ts'),
          /return runTracked\(/,
          "throw new Error('card service misconfigured');\n  return runTracked(",
        ),
      { part: 'B', criteria: ['06-happy-path'] },
    ),
  nodeImport: () =>
    broken.grade(
      'node-import',
      (d) => {
        const file = path.join(d, 'workflows', 'order-fulfillment.ts');
        edit(file, /^/, "import fs from 'node:fs';\n");
        edit(
          file,
          '  setHandler(orderStatusQuery, () => progress.status);',
          "  setHandler(orderStatusQuery, () => progress.status);\n  if (fs.existsSync('/tmp/pause')) progress.warn('paused');",
        );
      },
      { part: 'B' },
    ),
  missingAwait: () =>
    broken.grade(
      'missing-await',
      (d) =>
        edit(
          path.join(d, 'workflows', 'order-fulfillment.ts'),
          "    await progress.runChild('payment', () =>",
          "    progress.runChild('payment', () =>",
        ),
      { part: 'B', criteria: ['06-children-in-order'] },
    ),
  wrongOrder: () =>
    broken.grade(
      'wrong-order',
      (d) => {
        const file = path.join(d, 'workflows', 'order-fulfillment.ts');
        edit(file, 'executeChild(paymentWorkflow,', 'executeChild(PLACEHOLDER,');
        edit(file, 'executeChild(inventoryWorkflow,', 'executeChild(paymentWorkflow,');
        edit(file, 'executeChild(PLACEHOLDER,', 'executeChild(inventoryWorkflow,');
      },
      { part: 'B', criteria: ['06-children-in-order'] },
    ),
  noCompensation: () =>
    broken.grade(
      'no-compensation',
      (d) => edit(path.join(d, 'workflows', 'order-fulfillment.ts'), '    await saga.compensate();\n', ''),
      { part: 'C' },
    ),
  // The release registered after the inventory step, "once there is something to release".
  undoAfterStep: () =>
    broken.grade(
      'undo-after-step',
      (d) => {
        const file = path.join(d, 'workflows', 'order-fulfillment.ts');
        edit(file, RELEASE_UNDO, '');
        edit(file, '\n    const shippingId =', `\n${RELEASE_UNDO}    const shippingId =`);
      },
      { part: 'C', criteria: ['06-compensate-half-done-steps'] },
    ),
  // Part E's one attempt left in STEP_OPTIONS, and a retry policy on the inventory child workflow instead.
  inventoryChildRetried: () =>
    broken.grade('inventory-child-retried', (d) => retryChildrenInstead(d, ['inventory']), {
      part: 'E',
    }),
  // The same on every child: the order completes, each child run again as a whole.
  everyChildRetried: () =>
    broken.grade(
      'every-child-retried',
      (d) => retryChildrenInstead(d, ['payment', 'inventory', 'shipping', 'notification']),
      { part: 'E' },
    ),
  // The parent's query defined under another name: nothing to do with timing.
  wrongQueryName: () =>
    broken.grade(
      'wrong-query-name',
      (d) =>
        edit(
          path.join(d, 'workflows', 'queries.ts'),
          "orderStatusQuery = defineQuery<OrderStatus>('status')",
          "orderStatusQuery = defineQuery<OrderStatus>('orderStatus')",
        ),
      { part: 'D' },
    ),
  lateHandler: () =>
    broken.grade(
      'late-handler',
      (d) => {
        const file = path.join(d, 'workflows', 'order-fulfillment.ts');
        edit(file, '  setHandler(orderStatusQuery, () => progress.status);\n', '');
        edit(
          file,
          '    await validateOrder({ idempotencyKey: `validate-${orderId}`, order });\n',
          '    await validateOrder({ idempotencyKey: `validate-${orderId}`, order });\n    setHandler(orderStatusQuery, () => progress.status);\n',
        );
      },
      { part: 'D' },
    ),
});

describe('lesson 06 exercises', function () {
  this.timeout(120_000);

  before(() => startAll());

  describe('broken variants: the grader names the criterion and the cause', () => {
    it('a plain Error thrown in workflow code', async () => {
      const report = await grading.plainError();
      const happy = failedCriterion(report, '06-happy-path');
      expect(happy.explanation).to.match(
        /workflow task keeps failing in payment-.*workflows\/payment\.ts:\d+ throws a plain Error/s,
      );
    });

    it('a Node module imported into workflow code: every criterion of the Part fails, explained once', async () => {
      const report = await grading.nodeImport();
      expect(report.total).to.equal(criteriaFor('06', 'B').length);
      for (const c of report.criteria) {
        expect(c.pass, c.id).to.equal(false);
        expect(c.explanation, c.id).to.match(
          /bundle could not be built: .*workflows\/order-fulfillment\.ts:1 imports the Node module "node:fs"/,
        );
        // The finding is named by file:line under each criterion and explained once, in the findings.
        expect(c.because?.finding?.kind, c.id).to.equal('disallowed-import');
        expect(c.detail, c.id).to.not.match(/\n/);
      }
      expect(report.findings.filter((f) => f.kind === 'disallowed-import')).to.have.length(1);
    });

    it('a missing await', async () => {
      const report = await grading.missingAwait();
      const inOrder = failedCriterion(report, '06-children-in-order');
      expect(inOrder.explanation).to.match(
        /workflows\/order-fulfillment\.ts:\d+ calls progress\.runChild\(…\) without await/,
      );
    });

    it('children started in the wrong order', async () => {
      const report = await grading.wrongOrder();
      const inOrder = failedCriterion(report, '06-children-in-order');
      expect(inOrder.detail).to.match(/children started in the order inventory/);
    });

    it('no compensation', async () => {
      const report = await grading.noCompensation();
      const shipping = failedCriterion(report, '06-compensate-shipping-failure');
      expect(shipping.detail).to.match(/compensations seen in the ledger: none/);
      expect(criterion(report, '06-compensate-inventory-failure').detail).to.match(/not refunded/);
      // The email criterion is in Part C too, and still passes: the grader is precise, not all-or-nothing.
      expect(criterion(report, '06-notification-failure-tolerated').pass).to.equal(true);
    });

    it('the release registered after the inventory step: a reservation that lands before the step fails is left stuck', async () => {
      const report = await grading.undoAfterStep();
      const halfDone = failedCriterion(report, '06-compensate-half-done-steps');
      // Only the inventory scenario fails: the charge and the booking are still undone.
      expect(halfDone.detail).to.equal(
        'inventory=after:4: the reservation landed and the step then failed; the reservation was never released (the charge was refunded)',
      );
      expect(halfDone.hint).to.match(/^Register each undo BEFORE its step/);
      expect(firstFailingPart(report)).to.equal('C');
    });

    it("Part E's one attempt, with a retry policy on the inventory child instead: the payment is never retried", async () => {
      const report = await grading.inventoryChildRetried();
      const retries = failedCriterion(report, '06-child-level-retries');
      expect(retries.detail).to.match(
        /^chargePayment failed on attempt 1 of maximumAttempts 1 in payment's own history: a transient error failed the step instead of being retried inside its child; the order ended as failed: order \S+ failed at payment/,
      );
      expect(retries.hint).to.match(/STEP_OPTIONS .* a retry policy on executeChild runs the whole child again/);
    });

    it('a retry policy on every child workflow: the order completes, but each child ran again as a whole', async () => {
      const report = await grading.everyChildRetried();
      const retries = failedCriterion(report, '06-child-level-retries');
      expect(retries.detail).to.equal(
        'children run again as a whole (a retry policy on executeChild): payment 2 runs, inventory 2 runs, ' +
          'shipping 2 runs, notification 2 runs; retry each activity inside its child instead',
      );
    });

    it("the parent's query defined under another name: the grader lists the queries it has, and blames the name", async () => {
      const report = await grading.wrongQueryName();
      const status = failedCriterion(report, '06-status-queries');
      expect(status.detail).to.equal(
        "the parent has no query named 'status': it registers 'orderStatus' (and Temporal's own __stack_trace, " +
          "__enhanced_stack_trace, __temporal_workflow_metadata). The name is wrong, not the timing: defineQuery('status')",
      );
    });

    it('the status handler registered after the first await: Part D fails, pointing at the line', async () => {
      const report: GradeReport = await grading.lateHandler();
      const status = failedCriterion(report, '06-status-queries');
      expect(status.detail).to.match(/while the order was still validating, the parent did not answer 'status'/);
      expect(status.explanation).to.match(
        /workflows\/order-fulfillment\.ts:\d+ registers the `status` query handler after `await validateOrder\(…\)`/,
      );
      expect(report.findings.find((f) => f.kind === 'late-query-handler')?.part).to.equal('D');
      expect(firstFailingPart(report)).to.equal('D');
    });
  });
});
