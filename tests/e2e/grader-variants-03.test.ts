/**
 * Lesson 03's broken copies: every criterion fails on a copy of the solution broken the way learners
 * (and the original) break it, and the grader names the criterion and the cause:
 *   - activities carrying the original's habits: a retry loop, a swallowed error, one key for every warehouse;
 *   - the undos registered after their steps, and the warehouses reserved one after the other;
 *   - Promise.all as the join with no release registered, the status handler registered late, the email
 *     sent before shipping, and no maximumAttempts.
 * They run in the end-to-end phase, once in CI: they do not depend on the Node version, and they would not
 * fit in `npm test`'s budget. The solution's and the original's scorecards stay in
 * ../integration/criteria-03.test.ts.
 *
 * Everything starts at once in the second wave (../support/eager.ts). Each broken copy carries mistakes
 * that break different criteria, and is scored only on those; the activities-only copy reuses the
 * solution's workflow bundle. Three copies, not seven: every copy costs a bundle and a worker.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { GradeReport } from '../criteria/grade';
import type { Score } from '../criteria/scorecard';
import { edit } from '../criteria/variants';
import { afterEager } from '../support/eager';
import { brokenCopiesOf, failedCriterion } from '../support/gradings';
import { failedScore } from '../support/scorecards';

const WORKFLOW = path.join('workflows', 'saga-fan-out.ts');

const broken = brokenCopiesOf('03');
after(() => broken.remove());

/** The lines of `text` from the one containing `from` up to (not including) the one containing `to`. */
function block(text: string, from: string, to: string): string {
  const start = text.lastIndexOf('\n', text.indexOf(from)) + 1;
  const end = text.lastIndexOf('\n', text.indexOf(to, start)) + 1;
  if (start <= 0 || end <= start) throw new Error(`no block from "${from}" to "${to}"`);
  return text.slice(start, end);
}

function rewrite(dir: string, file: string, change: (text: string) => string): void {
  const full = path.join(dir, file);
  const text = fs.readFileSync(full, 'utf8');
  const next = change(text);
  if (next === text) throw new Error(`mutation did not apply to ${file}`);
  fs.writeFileSync(full, next);
}

/** The starter's Part C: one warehouse after the other. */
function sequentialReservations(dir: string): void {
  rewrite(dir, WORKFLOW, (text) =>
    text.replace(
      block(text, '// The fan-out: one branch per warehouse', 'const itemCount ='),
      `    const reservations: { itemCount: number }[] = [];
    for (const { warehouse, items } of parcels) {
      reservations.push(
        await progress.branch(warehouse, () =>
          reserveAtWarehouse({ idempotencyKey: reservationKey(warehouse, orderId), orderId, warehouse, items }),
        ),
      );
    }
`,
    ),
  );
}

/** The original's join, Promise.all, and no release registered for the warehouses. */
function promiseAllWithoutReleases(dir: string): void {
  rewrite(dir, path.join('workflows', 'fan-out.ts'), (text) =>
    text
      .replace(
        block(text, '// The branches share one scope', 'return settled.map'),
        '  return Promise.all(branches.map((branch) => branch()));\n',
      )
      .replace(/\n {2}return settled\.map\([^\n]*\n/, '\n'),
  );
  rewrite(dir, WORKFLOW, (text) =>
    text.replace(block(text, '// A release for every warehouse before', '// The fan-out: one branch'), ''),
  );
}

/** "Register the undo once there is something to undo": after the charge, after the booking. */
function undosAfterTheirSteps(dir: string): void {
  rewrite(dir, WORKFLOW, (text) => {
    const refund = block(text, '// The refund before the charge', "await progress.step('payment'");
    const charge = block(text, "await progress.step('payment'", '// A release for every warehouse');
    const cancel = block(text, '// The cancellation before the booking', 'const shipment = await');
    const ship = block(text, 'const shipment = await', '// Last, once the parcel is booked');
    return text.replace(refund + charge, charge + refund).replace(cancel + ship, ship + cancel);
  });
}

/** The status handler after the first await, the email right after the charge, no maximumAttempts. */
function lateHandlerEarlyEmailUnlimited(dir: string): void {
  rewrite(dir, WORKFLOW, (text) => {
    const handler = block(text, '// Answer `status` from the first moment', 'const saga = new Saga');
    const email = block(text, '// Last, once the parcel is booked', 'return progress.completed()');
    return text
      .replace(handler, '')
      .replace(email, '')
      .replace('    // Workflow logic: pure functions', `${handler}    // Workflow logic: pure functions`)
      .replace(
        '    // A release for every warehouse before',
        email.replace('trackingNumber: shipment.trackingNumber', "trackingNumber: 'PENDING'") +
          '    // A release for every warehouse before',
      );
  });
  edit(path.join(dir, 'workflows', 'options.ts'), '    maximumAttempts: 3,\n', '');
}

/** The original's habits carried into the activities. */
function messyActivities(dir: string): void {
  const file = path.join(dir, 'activities.ts');
  // A retry loop around the reservation, and one key for every warehouse of the order.
  edit(
    file,
    '      const reservation = await callService((options) => services.inventory.reserve(input, options));',
    `      const request = { ...input, idempotencyKey: \`inventory-03-\${input.orderId}\` };
      let reservation;
      for (;;) {
        try {
          reservation = await callService((options) => services.inventory.reserve(request, options));
          break;
        } catch {
          // try again
        }
      }`,
  );
  // The email "is not important": its failure is caught and dropped.
  edit(
    file,
    `      const sent = await callService((options) => services.mailer.sendConfirmation(input, options));
      return { notificationId: sent.notificationId };`,
    `      try {
        const sent = await callService((options) => services.mailer.sendConfirmation(input, options));
        return { notificationId: sent.notificationId };
      } catch {
        return { notificationId: 'not-sent' };
      }`,
  );
}

const scoring = afterEager(() =>
  Promise.all([
    broken.grade('messy-activities', messyActivities, { criteria: ['03-happy-path', '03-one-call-per-attempt'] }),
    // Two broken copies of the workflow, each with mistakes that break different criteria: fewer copies,
    // fewer bundles and workers to start.
    broken.score(
      'undos-after-sequential',
      (dir) => {
        undosAfterTheirSteps(dir);
        sequentialReservations(dir);
      },
      ['03-undo-before-step', '03-compensate-in-reverse', '03-reservations-overlap', '03-status-shows-branches'],
    ),
    broken.grade(
      'promise-all-late-early',
      (dir) => {
        lateHandlerEarlyEmailUnlimited(dir);
        promiseAllWithoutReleases(dir);
      },
      {
        criteria: [
          '03-no-stuck-reservation',
          '03-waits-for-running-branch',
          '03-status-shows-branches',
          '03-steps-in-order',
          '03-retry-policies',
        ],
      },
    ),
  ] as const),
);

describe('lesson 03 criteria', function () {
  this.timeout(120_000);

  let messy: GradeReport;
  let undosAfter: Score[];
  let promiseAll: GradeReport;
  before(async () => {
    [messy, undosAfter, promiseAll] = await scoring();
  });

  describe('broken copies: the grader names the criterion they break', () => {
    it('activities with a retry loop, a swallowed error and one key for every warehouse', () => {
      const happy = failedCriterion(messy, '03-happy-path');
      expect(happy.detail).to.match(
        /expected one reservation per warehouse, keyed inventory-east-03-\S+, inventory-west-03-/,
      );
      const calls = failedCriterion(messy, '03-one-call-per-attempt');
      expect(calls.detail).to.match(/reserveAtWarehouse called the inventory service 2 times in one attempt/);
      expect(calls.detail).to.match(/sendConfirmation returned although the notification service failed/);
      const kinds = messy.findings.map((f) => `${f.kind} ${f.file}:${f.line} ${f.part ?? ''}`);
      expect(
        kinds.some((k) => /^retry-loop \S+activities\.ts:\d+ A$/.test(k)),
        kinds.join('\n'),
      ).to.equal(true);
      expect(
        kinds.some((k) => /^swallowed-error \S+activities\.ts:\d+ A$/.test(k)),
        kinds.join('\n'),
      ).to.equal(true);
    });

    it('undos registered after their steps: the charge and the booking that landed are never undone', () => {
      const undo = failedScore(undosAfter, '03-undo-before-step');
      expect(undo.detail).to.match(/^the card was charged .* and never refunded/);
      expect(undo.observation!.audit.orphanedCharges).to.have.length(1);
      const reverse = failedScore(undosAfter, '03-compensate-in-reverse');
      expect(reverse.detail).to.match(/the shipment the carrier booked was never cancelled/);
    });

    it('warehouses reserved one after the other: no overlap in the history, never both RESERVING', () => {
      const overlap = failedScore(undosAfter, '03-reservations-overlap');
      expect(overlap.detail).to.match(
        /reserveAtWarehouse\(west\) was scheduled only after reserveAtWarehouse\(east\) had completed/,
      );
      const status = failedScore(undosAfter, '03-status-shows-branches');
      expect(status.detail).to.match(/never listed east and west as RESERVING at the same time/);
    });

    it('Promise.all and no release: the east reservation stays locked; the join is named with file:line', () => {
      const stuck = failedCriterion(promiseAll, '03-no-stuck-reservation');
      expect(stuck.detail).to.match(/^inventory-east-03-\S+ landed and was never released/);
      failedCriterion(promiseAll, '03-waits-for-running-branch');
      const join = promiseAll.findings.find((f) => f.kind === 'unguarded-join');
      expect(join?.file).to.match(/workflows\/fan-out\.ts$/);
      expect(join?.part).to.equal('D');
      expect(stuck.explanation).to.contain(`${join!.file}:${join!.line}`);
    });

    it('status handler after the first await, email before shipping, no maximumAttempts', () => {
      const status = failedCriterion(promiseAll, '03-status-shows-branches');
      expect(status.detail).to.match(/while the order was still validating, the workflow did not answer 'status'/);
      expect(status.explanation).to.match(/registers the `status` query handler after/);
      const order = failedCriterion(promiseAll, '03-steps-in-order');
      expect(order.detail).to.match(/sendConfirmation was scheduled before/);
      const policy = failedCriterion(promiseAll, '03-retry-policies');
      expect(policy.detail).to.match(/maximumAttempts unset \(unlimited/);
      expect(promiseAll.findings.map((f) => f.kind)).to.include.members(['late-query-handler', 'unlimited-retries']);
    });
  });
});
