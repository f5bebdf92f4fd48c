/**
 * Lesson 07's broken variants: the three classic ways to get parallel children wrong, and the parent's
 * query misnamed, each proving that the grader names the criterion it breaks:
 *   - `Promise.all` with the undos registered after it: a sibling that succeeded is never undone;
 *   - compensating before a still-running sibling has settled: its effect lands after its undo ran;
 *   - children still one after the other (lesson 06's way).
 * They run in the end-to-end phase, once in CI: they do not depend on the Node version, and they would
 * not fit in `npm test`'s budget. The starter and the proof swap stay in ../integration/exercises-07.test.ts.
 * Everything is scored at once, and each variant only on the criteria it should break, to stay fast.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Score } from '../criteria/scorecard';
import { edit } from '../criteria/variants';
import { afterEager } from '../support/eager';
import { lessonTrees } from '../support/exercises';
import { brokenCopiesOf } from '../support/gradings';
import { failedScore, scoreOf } from '../support/scorecards';

const { exercises: EXERCISES } = lessonTrees('07');
const PARENT = path.join('workflows', 'parallel-fulfillment.ts');
const FAN_OUT = path.join('workflows', 'fan-out.ts');

const broken = brokenCopiesOf('07');
after(() => broken.remove());

/** The lines of `file` from the one starting with `from` up to (not including) the one starting with `to`. */
function block(text: string, from: string, to: string): string {
  const start = text.indexOf(from);
  const end = text.indexOf(to, start);
  if (start < 0 || end < 0) throw new Error(`no block from "${from}" to "${to}"`);
  return text.slice(start, end);
}

/** The starter's Part A (payment, then inventory, as in lesson 06) in place of the solution's fan-out. */
function sequentialChildren(dir: string): void {
  const starter = fs.readFileSync(path.join(EXERCISES, PARENT), 'utf8');
  const sequential = block(starter, '    saga.addUndo(', '    // END TODO Part A');
  const file = path.join(dir, PARENT);
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.replace(block(text, '    // Both undos before', '    // The join:'), `${sequential}\n`));
}

/** The starter's join: plain Promise.all, which rejects while a sibling is still running. */
function promiseAllJoin(dir: string): void {
  const starter = fs.readFileSync(path.join(EXERCISES, FAN_OUT), 'utf8');
  const naive = block(starter, '  return (await Promise.all(', '  // END TODO Part C');
  const file = path.join(dir, FAN_OUT);
  const text = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, text.replace(block(text, '  // The branches share one scope', '\n}\n'), naive));
}

/** Both undos registered only once the join succeeded, "when there is something to undo". */
function undosAfterTheJoin(dir: string): void {
  const file = path.join(dir, PARENT);
  const text = fs.readFileSync(file, 'utf8');
  const undos = block(text, '    // Both undos before', '    // The fan-out:');
  fs.writeFileSync(file, text.replace(undos, '').replace('    // The join:', `${undos}    // The join:`));
}

describe('lesson 07 exercises', function () {
  this.timeout(180_000);

  // Every grading starts in the second wave (../support/eager.ts), side by side with the other graders.
  const grading = afterEager(() =>
    Promise.all([
      broken.score(
        'promise-all-undos-after',
        (d) => {
          promiseAllJoin(d);
          undosAfterTheJoin(d);
        },
        ['07-inventory-fails-after-payment'],
      ),
      broken.score('too-early', promiseAllJoin, ['07-declined-while-reserving', '07-inventory-fails-after-payment']),
      broken.score('sequential', sequentialChildren, ['07-children-overlap', '07-status-during-fan-out']),
      broken.score(
        'wrong-query-name',
        (d) =>
          edit(path.join(d, PARENT), "defineQuery<OrderStatus>('status')", "defineQuery<OrderStatus>('orderStatus')"),
        ['07-status-during-fan-out'],
      ),
    ] as const),
  );
  let promiseAllUndosAfter: Score[];
  let tooEarly: Score[];
  let sequential: Score[];
  let wrongQueryName: Score[];
  before(async () => {
    [promiseAllUndosAfter, tooEarly, sequential, wrongQueryName] = await grading();
  });

  describe('broken variants: the grader names the criterion they break', () => {
    it('Promise.all with the undos registered after it: the charge that went through is never refunded', () => {
      const s = failedScore(promiseAllUndosAfter, '07-inventory-fails-after-payment');
      expect(s.detail).to.equal('the payment was not refunded: the customer stays charged');
      expect(s.observation!.audit.orphanedCharges).to.have.length(1);
    });

    it('compensating before the sibling settled: the release runs before the reservation lands', () => {
      const s = failedScore(tooEarly, '07-declined-while-reserving');
      expect(s.detail).to.match(/the release ran before the reservation had landed/);
      const obs = s.observation!;
      // The release did run, and found nothing: it ran before the reserve call had ended. It fenced the
      // reservation's key, so the reservation was refused when it arrived, and nothing is stuck.
      expect(obs.calls.filter((c) => c.step === 'release').map((c) => c.outcome)).to.deep.equal(['ok']);
      expect(obs.audit.refusedLateCalls.map((c) => c.step)).to.deep.equal(['inventory']);
      expect(obs.audit.stuckReservations).to.have.length(0);
      // The grader is precise: when the sibling had long finished, the same code compensates correctly.
      expect(scoreOf(tooEarly, '07-inventory-fails-after-payment').pass).to.equal(true);
    });

    it('children still one after the other: no overlap in the history, never both RUNNING', () => {
      const overlap = failedScore(sequential, '07-children-overlap');
      expect(overlap.detail).to.match(/inventory-\S+ was started only after payment-\S+ had completed/);
      const status = failedScore(sequential, '07-status-during-fan-out');
      expect(status.detail).to.match(/never showed payment and inventory RUNNING at the same time/);
    });

    it("the parent's query defined under another name: the grader lists every query it registers, and blames the name", () => {
      const s = failedScore(wrongQueryName, '07-status-during-fan-out');
      expect(s.detail).to.equal(
        "the parent has no query named 'status': it registers 'orderStatus' (and Temporal's own __stack_trace, " +
          "__enhanced_stack_trace, __temporal_workflow_metadata). The name is wrong, not the timing: defineQuery('status')",
      );
      expect(s.detail).to.not.match(/before the first await/);
    });
  });
});
