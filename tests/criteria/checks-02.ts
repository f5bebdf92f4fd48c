/**
 * Lesson 02's criteria as checks over observations: one workflow running its activities in order, with
 * a retry policy instead of retry loops. The activities are read from the workflow's event history, the
 * calls from the ledger. Registered in ./checks.ts; the titles, Parts and hints live in the lesson
 * manifest (common/lessons.ts).
 */
import { activityRuns, activityRunsIn, type ActivityRun } from './activity-runs';
import { callsOf, chargedTotal, completed, ending, fail, NO_HISTORY, ok, sideEffects, type Check } from './criterion';
import type { Observation, Scenario } from './observation';
import { ACTIVITY_STEPS_02 } from './observe-alone';

export const SCENARIOS_02 = {
  happy: { id: '02-happy', faults: 'none' },
  // Every service fails its first call: each activity, called on its own, must let that error escape.
  activitiesAlone: {
    id: '02-activities-alone',
    faults: 'validate=first:1,payment=first:1,inventory=first:1,shipping=first:1',
    mode: 'activities',
  },
  flaky: { id: '02-flaky', faults: 'payment=first:1,inventory=first:2' },
  // The solution fails this order in about 1.5 s; a forgotten maximumAttempts is reported as soon as
  // the watch sees the retries (hopeless). The default bound leaves room for a task lost on its way to
  // the worker, which the server retries only after its 10-s StartToClose timeout.
  inventoryFails: {
    id: '02-inventory-fails',
    faults: 'inventory=always',
    hopeless: ['reserveInventory'],
  },
  declined: {
    id: '02-declined',
    faults: 'none',
    order: { paymentToken: 'tok_declined' },
    hopeless: ['chargePayment'],
  },
} satisfies Record<string, Scenario>;

/**
 * An activity the history shows failing with a non-retryable error in a scenario that injects only
 * transient faults (timeouts, outages): the code made an error non-retryable that a retry would fix.
 */
function transientMadeNonRetryable(runs: ActivityRun[]): string | undefined {
  // A starter's TODO throws a non-retryable NotImplemented on purpose: that is not this mistake.
  const run = runs.find((r) => r.failure?.nonRetryable && !/TODO Part [A-Z]/.test(r.failure.message));
  if (!run) return undefined;
  const { type, message } = run.failure!;
  return (
    `${run.type} failed on attempt ${run.attempt ?? 1} with a non-retryable ${type ? `${type} error` : 'error'} ` +
    `(${JSON.stringify(message.split('\n')[0])}): a transient error was made non-retryable, so the retry policy never retried it`
  );
}

/** Lesson 02's shipping rule (docs/02-order-processing.md, Part D): $5.99 for the first unit, $1.50 per extra unit. */
function expectedShippingCents(obs: Observation): number {
  const units = obs.order.items.reduce((sum, item) => sum + item.quantity, 0);
  return 599 + 150 * (units - 1);
}

export const CHECKS_02 = {
  '02-happy-path': {
    scenario: SCENARIOS_02.happy,
    check: (obs) => {
      const done = completed(obs);
      if (!done.pass) return done;
      const expected = { charges: 1, reservations: 1, shipments: 1, refunds: 0 };
      const { counts, asExpected } = sideEffects(obs.audit, expected);
      if (!asExpected) {
        return fail(`expected one charge, one reservation, one shipment and no refund; the ledger has ${counts}`);
      }
      const calls = ACTIVITY_STEPS_02.map(([, step]) => `${step} ${callsOf(obs, step)}`);
      if (ACTIVITY_STEPS_02.some(([, step]) => callsOf(obs, step) !== 1))
        return fail(`expected one call per service; the ledger has ${calls.join(', ')}`);
      const total = obs.order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
      return chargedTotal(obs, total, counts);
    },
  },
  '02-activities-in-order': {
    scenario: SCENARIOS_02.happy,
    check: (obs) => {
      const runs = activityRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      const expected = ACTIVITY_STEPS_02.map(([type]) => type);
      const types = runs.map((r) => r.type);
      if (types.join() !== expected.join()) {
        return fail(`the history schedules ${types.join(' → ') || 'no activities'}; expected ${expected.join(' → ')}`);
      }
      for (let i = 1; i < runs.length; i++) {
        const previous = runs[i - 1];
        if (previous.closedId === undefined || previous.closedId > runs[i].scheduledId) {
          return fail(`${runs[i].type} was scheduled before ${previous.type} had finished`);
        }
      }
      return ok(types.join(' → '));
    },
  },
  '02-one-call-per-attempt': {
    scenario: SCENARIOS_02.activitiesAlone,
    check: (obs) => {
      const probes = obs.activityCalls;
      if (!probes) return fail('no activities: this target does not run its steps as Temporal activities');
      const problems: string[] = [];
      for (const p of probes) {
        if (p.first === 'missing') {
          problems.push(`there is no ${p.activity} activity`);
        } else if (/TODO Part [A-Z]/.test(p.first)) {
          problems.push(`${p.activity} ${p.first}`);
        } else if (p.callsInFirstInvocation > 1) {
          problems.push(
            `${p.activity} called the ${p.step} service ${p.callsInFirstInvocation} times in one attempt: ` +
              'a retry loop inside the activity hides the failures from Temporal',
          );
        } else if (p.callsInFirstInvocation === 0) {
          problems.push(`${p.activity} never called the ${p.step} service`);
        } else if (p.first === 'returned') {
          problems.push(`${p.activity} returned although the ${p.step} service failed: let the error escape`);
        } else if (p.second !== 'returned') {
          problems.push(`${p.activity} failed on its second attempt too (${p.second})`);
        } else if (typeof p.result !== 'object' || p.result === null) {
          problems.push(`${p.activity} returned ${JSON.stringify(p.result)}; return a small plain object`);
        }
      }
      return problems.length
        ? fail(problems.join('; '))
        : ok(probes.map((p) => `${p.activity}: 1 call, error escaped; then returned`).join('; '));
    },
  },
  '02-retry-policy': {
    scenario: SCENARIOS_02.flaky,
    check: (obs) => {
      const runs = activityRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      if (runs.length === 0) return fail('the history schedules no activities');
      const wrong = runs.filter((r) => r.maximumAttempts !== 3 || !(Number(r.backoffCoefficient) > 1));
      if (wrong.length) {
        return fail(
          `expected retryPolicy.maximumAttempts 3 with a backoffCoefficient above 1 on every activity; the history shows ` +
            wrong
              .map(
                (r) =>
                  `${r.type}: maximumAttempts ${r.maximumAttempts || 'unset (unlimited)'}, backoffCoefficient ${r.backoffCoefficient || 'unset'}`,
              )
              .join('; '),
        );
      }
      const done = completed(obs);
      if (!done.pass)
        return fail(transientMadeNonRetryable(runs) ?? `payment failed once and inventory twice, and ${done.detail}`);
      const inventory = runs.find((r) => r.type === 'reserveInventory');
      if (inventory?.attempt !== 3)
        return fail(`reserveInventory completed on attempt ${inventory?.attempt ?? 'none'}; expected attempt 3`);
      return ok();
    },
  },
  '02-retries-capped': {
    scenario: SCENARIOS_02.inventoryFails,
    check: (obs) => {
      if (obs.outcome.kind === 'completed') return fail('the order completed although inventory always fails');
      if (obs.outcome.kind === 'retrying-forever')
        return fail(`${obs.outcome.message}; expected exactly 3 inventory calls, then the order fails`);
      if (obs.outcome.kind !== 'failed') return fail(`the order ${ending(obs.outcome)}`);
      const nonRetryable = obs.history && transientMadeNonRetryable(activityRunsIn(obs.history));
      if (nonRetryable) return fail(nonRetryable);
      const calls = callsOf(obs, 'inventory');
      // The original has no worker: its own loop makes every call. Under Temporal, one call per attempt
      // the worker ran (a task lost on its way to the worker makes none, and times out).
      const ran = obs.attemptsRun?.reserveInventory;
      if (ran ? calls !== ran.length : calls !== 3)
        return fail(
          `the inventory service was called ${calls} time(s)${ran ? ` in ${ran.length} attempt(s); expected one call per attempt, 3 attempts` : '; expected exactly 3'}`,
        );
      if (obs.audit.shipments.length) return fail('a shipment was scheduled although inventory failed');
      const runs = activityRuns(obs);
      if (!runs) return fail(`${NO_HISTORY}; its 3 attempts are invisible outside the process`);
      const inventory = runs.find((r) => r.type === 'reserveInventory');
      const lastLost = inventory?.closedAs === 'timed out' && ran !== undefined && !ran.includes(3);
      if (inventory?.attempt !== 3 || !(inventory.closedAs === 'failed' || lastLost)) {
        return fail(
          `the history shows reserveInventory ${inventory ? `${inventory.closedAs ?? 'open'} on attempt ${inventory.attempt ?? 'none'}` : 'never scheduled'}; expected it to fail on attempt 3`,
        );
      }
      return ok();
    },
  },
  '02-business-errors-not-retried': {
    scenario: SCENARIOS_02.declined,
    check: (obs) => {
      if (obs.outcome.kind === 'completed') return fail('the order completed with a declined card');
      const calls = callsOf(obs, 'payment');
      if (calls !== 1)
        return fail(
          `the payment gateway was called ${calls} time(s) for a declined card; expected exactly 1 (a decline never succeeds on retry)`,
        );
      if (obs.outcome.kind !== 'failed') return fail(`the order ${ending(obs.outcome)}`);
      if (obs.audit.charges.length || obs.audit.reservations.length)
        return fail('something was charged or reserved for a declined card');
      return ok();
    },
  },
  '02-totals-in-workflow': {
    scenario: SCENARIOS_02.happy,
    check: (obs) => {
      const runs = activityRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      const calc = runs.filter((r) => /total|quote|calculat|price|cost/i.test(r.type)).map((r) => r.type);
      if (calc.length)
        return fail(`the history runs ${calc.join(', ')} as activities; a pure calculation belongs in the workflow`);
      const done = completed(obs);
      if (!done.pass) return done;
      const total = obs.order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
      const charged = obs.audit.charges.map((c) => c.amountCents);
      if (charged.length !== 1 || charged[0] !== total)
        return fail(
          `charged ${charged.join(', ') || 'nothing'}; expected one charge of ${total} cents (the order total)`,
        );
      const result = (obs.outcome as { result?: { totalCents?: unknown; shippingCents?: unknown } }).result;
      if (result?.totalCents !== total)
        return fail(`the result's totalCents is ${JSON.stringify(result?.totalCents)}; expected ${total}`);
      const shipping = expectedShippingCents(obs);
      if (result?.shippingCents !== shipping)
        return fail(`the result's shippingCents is ${JSON.stringify(result?.shippingCents)}; expected ${shipping}`);
      return ok(`total ${total}, shipping ${shipping}`);
    },
  },
} satisfies Record<string, Check>;
