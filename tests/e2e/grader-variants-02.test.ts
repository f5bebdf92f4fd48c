/**
 * Lesson 02's broken variants: copies of the solution with one mistake each (a retry loop left inside an
 * activity, business errors left retryable, every error made non-retryable, no maximumAttempts), each
 * proving that the grader names the criterion it breaks and the cause. They run in the end-to-end phase,
 * once in CI: they do not depend on the Node version, and they would not fit in `npm test`'s budget. The
 * starter and the proof swap stay in ../integration/exercises-02.test.ts.
 *
 * Every grading starts at once, in the second wave (../support/eager.ts; one server, one worker per copy),
 * and each variant is graded only on the criteria it breaks; each test then reads its own result.
 */
import { expect } from 'chai';
import path from 'node:path';
import { firstFailingPart } from '../criteria/grade';
import { criterion, edit } from '../criteria/variants';
import { brokenCopiesOf, failedCriterion, secondWaveGradings } from '../support/gradings';

const broken = brokenCopiesOf('02');
after(() => broken.remove());

/** The original's naive retry loop, as a learner might carry it over into an activity. */
const RESERVE_WITH_LOOP = `      let lastError: unknown;
      for (let attempt = 1; attempt <= 3; attempt++) {
        try {
          const reservation = await call(() => services.inventory.reserve(input));
          return { reservationId: reservation.reservationId, itemCount: reservation.itemCount };
        } catch (err) {
          lastError = err;
        }
      }
      throw lastError;`;

const { grading, startAll } = secondWaveGradings({
  chargeLoop: () =>
    broken.grade(
      'loop',
      (d) =>
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
      { part: 'A' },
    ),
  reserveLoop: () =>
    broken.grade(
      'reserve-loop',
      (d) =>
        edit(
          path.join(d, 'activities.ts'),
          `      const reservation = await call(() => services.inventory.reserve(input));
      return { reservationId: reservation.reservationId, itemCount: reservation.itemCount };`,
          RESERVE_WITH_LOOP,
        ),
      { criteria: ['02-one-call-per-attempt', '02-retry-policy', '02-retries-capped'] },
    ),
  retryable: () =>
    broken.grade(
      'retryable',
      (d) =>
        edit(
          path.join(d, 'activities.ts'),
          'throw ApplicationFailure.nonRetryable(err.message, err.code);',
          'throw err;',
        ),
      { part: 'D' },
    ),
  // Every error made non-retryable, the transient ones too: Part D's maximumAttempts is set, and never used.
  allNonRetryable: () =>
    broken.grade(
      'all-non-retryable',
      (d) =>
        edit(
          path.join(d, 'activities.ts'),
          /if \(isBusinessError\(err\)\) \{\n\s*throw ApplicationFailure\.nonRetryable\(err\.message, err\.code\);\n\s*\}\n\s*throw err;[^\n]*/,
          'if (isBusinessError(err)) throw ApplicationFailure.nonRetryable(err.message, err.code);\n' +
            "    throw ApplicationFailure.nonRetryable((err as Error).message, (err as { code?: string }).code ?? 'Error');",
        ),
      { part: 'D', criteria: ['02-retry-policy', '02-retries-capped'] },
    ),
  unlimited: () =>
    broken.grade('unlimited', (d) => edit(path.join(d, 'workflows', 'options.ts'), '    maximumAttempts: 3,\n', ''), {
      part: 'D',
      criteria: ['02-retry-policy', '02-retries-capped'],
    }),
});

describe('lesson 02 exercises', function () {
  this.timeout(120_000);

  before(() => startAll());

  describe('broken variants: the grader names the criterion and the cause', () => {
    it('a naive retry loop left inside an activity', async () => {
      const report = await grading.chargeLoop();
      const once = failedCriterion(report, '02-one-call-per-attempt');
      expect(once.detail).to.match(
        /chargePayment called the payment service 2 times in one attempt: a retry loop inside the activity/,
      );
      expect(once.explanation).to.match(/activities\.ts:\d+ chargePayment retries inside the activity: this loop/);
    });

    it('the original retry loop inside reserveInventory fails Part A by name, not Part D', async () => {
      const report = await grading.reserveLoop();
      expect(firstFailingPart(report)).to.equal('A');
      const once = failedCriterion(report, '02-one-call-per-attempt');
      expect(once.detail).to.match(/reserveInventory called the inventory service 2 times in one attempt/);
      const loop = report.findings.find((f) => f.kind === 'retry-loop');
      expect(loop, 'a retry-loop finding').to.include({ part: 'A' });
      expect(loop!.file).to.match(/activities\.ts$/);
      expect(loop!.message).to.match(/^reserveInventory retries inside the activity/);
      expect(once.explanation).to.contain(`activities.ts:${loop!.line} reserveInventory retries inside the activity`);
      // Part D fails too (inventory completes on attempt 1, and 3 attempts make 9 calls), and the grader
      // blames the loop there, not the retry policy.
      const policy = criterion(report, '02-retry-policy');
      expect(policy.detail).to.match(/reserveInventory completed on attempt 1; expected attempt 3/);
      const capped = criterion(report, '02-retries-capped');
      expect(capped.detail).to.match(
        /the inventory service was called 9 time\(s\) in 3 attempt\(s\); expected one call per attempt, 3 attempts/,
      );
      for (const c of [policy, capped]) {
        expect(c.pass, c.id).to.equal(false);
        expect(c.because?.finding, c.id).to.equal(loop);
        expect(c.explanation, c.id).to.match(/retry loop inside an activity .*\(Part A\).*activities\.ts:\d+/);
      }
    });

    it('business errors left retryable', async () => {
      const report = await grading.retryable();
      const declined = failedCriterion(report, '02-business-errors-not-retried');
      expect(declined.detail).to.match(/called 3 time\(s\) for a declined card/);
      expect(criterion(report, '02-retry-policy').pass).to.equal(true);
    });

    it('every error made non-retryable: the grader names the transient error it saw, not maximumAttempts', async () => {
      const report = await grading.allNonRetryable();
      const policy = failedCriterion(report, '02-retry-policy');
      expect(policy.detail).to.equal(
        'chargePayment failed on attempt 1 with a non-retryable ServiceUnavailable error ("payment service unavailable (attempt 1)"): ' +
          'a transient error was made non-retryable, so the retry policy never retried it',
      );
      const capped = failedCriterion(report, '02-retries-capped');
      expect(capped.detail).to.equal(
        'reserveInventory failed on attempt 1 with a non-retryable ServiceUnavailable error ("inventory service unavailable (attempt 1)"): ' +
          'a transient error was made non-retryable, so the retry policy never retried it',
      );
      for (const c of [policy, capped]) {
        expect(c.detail, c.id).to.not.match(/maximumAttempts/);
        expect(c.hint, c.id).to.match(/only a business error becomes non-retryable|only business errors non-retryable/);
      }
    });

    it('no retry policy limit: the grader says where, and stops the order as soon as it retries', async () => {
      const report = await grading.unlimited();
      const policy = failedCriterion(report, '02-retry-policy');
      expect(policy.detail).to.match(/maximumAttempts unset \(unlimited\)/);
      expect(report.findings.map((f) => f.kind)).to.include('unlimited-retries');
      const capped = failedCriterion(report, '02-retries-capped');
      expect(capped.detail).to.match(
        /reserveInventory failed \d+ time\(s\) and is retried with no maximumAttempts: it would be retried forever; expected exactly 3 inventory calls/,
      );
      expect(capped.explanation).to.match(
        /reserveInventory failed \d+ time\(s\) and Temporal would retry it forever.*workflows\/options\.ts:\d+ sets a retry policy without maximumAttempts/,
      );
    });
  });
});
