/**
 * Lesson 06's criteria as checks over observations: a parent running four child workflows in order,
 * compensations, `status` queries and retries at child level. The order of the children is read from the
 * parent's event history, each child's retries from its own; the ledger says what happened outside.
 * Registered in ./checks.ts; the titles, Parts and hints live in the lesson manifest (common/lessons.ts).
 */
import { LESSONS, type ChildKind } from '../../common/lessons';
import { activityRunsIn } from './activity-runs';
import { CHILD_TYPES, childRuns } from './child-runs';
import {
  callsOf,
  chargedTotal,
  completed,
  ending,
  fail,
  NO_HISTORY,
  ok,
  sideEffects,
  type Check,
  type Verdict,
} from './criterion';
import type { Observation, Scenario } from './observation';
import { queryErrorLine, wrongQueryName } from './query-errors';

/** The lesson's children, in the order its parent runs them. */
const CHILDREN = LESSONS['06'].children;

export const SCENARIOS_06 = {
  // `inspect`: the children are listed and described, and every workflow asked for its `status`, afterwards.
  happy: { id: 'happy', faults: 'none', inspect: true },
  childrenAlone: { id: 'children-alone', faults: 'none', mode: 'children' },
  // Validation slowed down, so the parent can be asked for its status while it validates.
  statusEarly: { id: 'status-early', faults: 'none', latency: 'validate=1500ms', earlyQuery: true, inspect: true },
  // `hopeless`: the activities a scenario makes fail for good; retried without a limit, the run stops early.
  shippingFails: { id: 'shipping-fails', faults: 'shipping=always', hopeless: ['arrangeShipment'] },
  inventoryFails: { id: 'inventory-fails', faults: 'inventory=always', hopeless: ['reserveInventory'] },
  // Every step fails its first attempts, before doing anything: each child must retry its own activity.
  everyStepFlaky: {
    id: 'every-step-flaky',
    faults: 'payment=first:1,inventory=first:1,shipping=first:1,notification=first:1',
    childHistories: true,
  },
  // A step that half-succeeds: each of its 4 attempts does the work (a charge, a reservation, a booking
  // lands) and then reports an error, so the step fails with its effect in place. (Not hopeless: a 5th
  // attempt would succeed.)
  paymentHalfDone: { id: 'payment-half-done', faults: 'payment=after:4' },
  inventoryHalfDone: { id: 'inventory-half-done', faults: 'inventory=after:4' },
  shippingHalfDone: { id: 'shipping-half-done', faults: 'shipping=after:4' },
  notificationFails: { id: 'notification-fails', faults: 'notification=always', hopeless: ['sendConfirmation'] },
} satisfies Record<string, Scenario>;

function ledgerClean(obs: Observation): Verdict {
  const { orphanedCharges, stuckReservations } = obs.audit;
  if (orphanedCharges.length || stuckReservations.length) {
    return fail(
      `the ledger shows ${orphanedCharges.length} orphaned charge(s) and ${stuckReservations.length} stuck reservation(s)`,
    );
  }
  return ok();
}

function callOrder(obs: Observation, steps: string[]): string[] {
  return obs.calls.filter((c) => steps.includes(c.step) && c.outcome === 'ok').map((c) => c.step);
}

/** Lesson 06's steps that can be undone, in the order they run. */
const COMPENSABLE = ['payment', 'inventory', 'shipping'] as const;
type Compensable = (typeof COMPENSABLE)[number];

/** The activity each lesson-06 child runs. */
const CHILD_ACTIVITY: Record<ChildKind, string> = {
  payment: 'chargePayment',
  inventory: 'reserveInventory',
  shipping: 'arrangeShipment',
  notification: 'sendConfirmation',
};

/** The step an `after:N` scenario of 06-compensate-half-done-steps makes half-succeed. */
const HALF_DONE: Record<string, Compensable> = {
  [SCENARIOS_06.paymentHalfDone.id]: 'payment',
  [SCENARIOS_06.inventoryHalfDone.id]: 'inventory',
  [SCENARIOS_06.shippingHalfDone.id]: 'shipping',
};

/** `payment=first:1,inventory=first:2` → { payment: 1, inventory: 2 }: the attempts a step fails first. */
function failuresFirst(faults: string): Partial<Record<string, number>> {
  return Object.fromEntries([...faults.matchAll(/(\w+)=first:(\d+)/g)].map((m) => [m[1], Number(m[2])]));
}

/**
 * One `after:4` scenario of 06-compensate-half-done-steps: the step did its work on every attempt and
 * reported an error, so it failed with its effect in place. Everything that landed, the half-done
 * step's own effect included, must be undone, newest first.
 */
function halfDoneUndone(obs: Observation): Verdict {
  const step = HALF_DONE[obs.scenario];
  const fault = `${step}=after:4`;
  const a = obs.audit;
  const effects: Record<Compensable, { what: string; count: number; left: number; undone: string; undo: string }> = {
    payment: {
      what: 'charge',
      count: a.charges.length,
      left: a.charges.filter((c) => !a.refunds.some((r) => r.chargeId === c.chargeId)).length,
      undone: 'refunded',
      undo: 'refund',
    },
    inventory: {
      what: 'reservation',
      count: a.reservations.length,
      left: a.reservations.filter((r) => !a.releases.some((x) => x.reservationId === r.reservationId)).length,
      undone: 'released',
      undo: 'release',
    },
    shipping: {
      what: 'booking',
      count: a.shipments.length,
      left: a.shipments.filter((s) => !s.cancelled).length,
      undone: 'cancelled',
      undo: 'cancelShipment',
    },
  };
  if (obs.outcome.kind === 'completed') {
    const attempts = obs.attemptsRun?.[CHILD_ACTIVITY[step]] ?? [];
    return fail(
      `${fault}: ${step} did its work and then reported an error on each of its first 4 attempts, yet the order completed` +
        (attempts.length > 4
          ? ` (on attempt ${attempts[attempts.length - 1]}: give the steps 4 attempts, Part E)`
          : ''),
    );
  }
  const own = effects[step];
  if (own.count === 0) {
    return fail(
      `${fault}: the ${step} step never ran, so no ${own.what} landed to undo (the order ${ending(obs.outcome)})`,
    );
  }
  const done = COMPENSABLE.slice(0, COMPENSABLE.indexOf(step) + 1).filter((s) => effects[s].count > 0);
  const left = done.filter((s) => effects[s].left > 0);
  const undone = done
    .filter((s) => effects[s].left === 0)
    .map((s) => `the ${effects[s].what} was ${effects[s].undone}`);
  if (left.length) {
    const never = left.map((s) => `the ${effects[s].what} was never ${effects[s].undone}`).join(', and ');
    return fail(
      `${fault}: the ${own.what} landed and the step then failed; ${never}` +
        (undone.length ? ` (${[...undone].reverse().join(', ')})` : ''),
    );
  }
  const expected = [...done].reverse().map((s) => effects[s].undo);
  const seen = [...new Set(callOrder(obs, expected))];
  if (seen.join() !== expected.join())
    return fail(`${fault}: undone in the order ${seen.join(' → ')}; expected newest first: ${expected.join(' → ')}`);
  return ok(`${fault}: ${[...undone].reverse().join(', ')}`);
}

export const CHECKS_06 = {
  '06-children-work-alone': {
    scenario: SCENARIOS_06.childrenAlone,
    check: (obs) => {
      if (!obs.childOutcomes) return fail(NO_HISTORY);
      const problems: string[] = [];
      for (const kind of CHILDREN) {
        const outcome = obs.childOutcomes[kind];
        if (outcome?.kind !== 'completed') {
          const why = outcome && 'message' in outcome ? outcome.message : 'it did not run';
          problems.push(`${kind}Workflow on its own ended ${outcome?.kind ?? 'unknown'}: ${why.split('\n')[0]}`);
        }
      }
      if (problems.length) return fail(problems.join('; '));
      const a = obs.audit;
      const id = (kind: ChildKind) => `${kind}-${obs.order.orderId}`;
      const effects: [string, { key: string }[], ChildKind][] = [
        ['charge', a.charges, 'payment'],
        ['reservation', a.reservations, 'inventory'],
        ['shipment', a.shipments, 'shipping'],
        ['email', a.notifications, 'notification'],
      ];
      for (const [what, rows, kind] of effects) {
        if (rows.length !== 1) problems.push(`expected one ${what}, the ledger has ${rows.length}`);
        else if (rows[0].key !== id(kind)) {
          problems.push(
            `the ${what} was made with idempotency key "${rows[0].key}"; use the child's workflow ID, "${id(kind)}"`,
          );
        }
      }
      return problems.length ? fail(problems.join('; ')) : ok('each child did its one job with its own ID as key');
    },
  },
  '06-happy-path': {
    scenario: SCENARIOS_06.happy,
    check: (obs) => {
      const done = completed(obs);
      if (!done.pass) return done;
      const expected = { charges: 1, reservations: 1, shipments: 1, emails: 1, refunds: 0 };
      const { counts, asExpected } = sideEffects(obs.audit, expected);
      if (!asExpected) return fail(`expected exactly one of each side effect and no refund; the ledger has ${counts}`);
      return chargedTotal(obs, 105_997, counts);
    },
  },
  '06-four-children': {
    scenario: SCENARIOS_06.happy,
    check: (obs) => {
      const runs = childRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      const types = runs.map((r) => r.type);
      const missing = Object.values(CHILD_TYPES).filter((t) => !types.includes(t));
      if (missing.length)
        return fail(
          `the parent's history starts ${types.length ? types.join(', ') : 'no child workflows'}; missing ${missing.join(', ')}`,
        );
      return ok(types.join(', '));
    },
  },
  '06-child-ids': {
    scenario: SCENARIOS_06.happy,
    check: (obs) => {
      const runs = childRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      const wrong = CHILDREN.filter(
        (kind) => !runs.some((r) => r.kind === kind && r.workflowId === `${kind}-${obs.order.orderId}`),
      );
      if (wrong.length) {
        const seen = runs.map((r) => `${r.type}=${r.workflowId}`).join(', ') || 'none';
        return fail(
          `expected IDs ${wrong.map((k) => `${k}-${obs.order.orderId}`).join(', ')}; the history shows ${seen}`,
        );
      }
      return ok();
    },
  },
  '06-children-in-order': {
    scenario: SCENARIOS_06.happy,
    check: (obs) => {
      const runs = childRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      const kinds = runs.map((r) => r.kind ?? r.type);
      if (kinds.join() !== CHILDREN.join())
        return fail(`children started in the order ${kinds.join(' → ') || '(none)'}; expected ${CHILDREN.join(' → ')}`);
      for (let i = 1; i < runs.length; i++) {
        const previous = runs[i - 1];
        if (previous.closedId === undefined || previous.closedId > runs[i].initiatedId) {
          return fail(`${runs[i].kind} started before ${previous.kind} had finished`);
        }
      }
      return ok();
    },
  },
  '06-compensate-shipping-failure': {
    scenario: SCENARIOS_06.shippingFails,
    check: (obs) => {
      if (obs.outcome.kind === 'completed') return fail('the order completed although shipping always fails');
      const undo = callOrder(obs, ['release', 'refund']);
      if (undo.join() !== 'release,refund')
        return fail(`compensations seen in the ledger: ${undo.join(' → ') || 'none'}; expected release → refund`);
      return ledgerClean(obs);
    },
  },
  '06-compensate-inventory-failure': {
    scenario: SCENARIOS_06.inventoryFails,
    check: (obs) => {
      if (obs.outcome.kind === 'completed') return fail('the order completed although inventory always fails');
      if (!obs.audit.refunds.length) return fail('the payment was not refunded');
      return ledgerClean(obs);
    },
  },
  '06-compensate-half-done-steps': {
    scenario: SCENARIOS_06.paymentHalfDone,
    moreScenarios: [SCENARIOS_06.inventoryHalfDone, SCENARIOS_06.shippingHalfDone],
    check: halfDoneUndone,
  },
  '06-visible-separately': {
    scenario: SCENARIOS_06.happy,
    check: (obs) => {
      if (!obs.children || !obs.listedChildren) return fail(NO_HISTORY);
      const problems: string[] = [];
      for (const kind of CHILDREN) {
        const id = `${kind}-${obs.order.orderId}`;
        const listed = obs.listedChildren.find((c) => c.workflowId === id);
        const described = obs.children[kind];
        if (!described.type) problems.push(`${id} is not a workflow the server knows`);
        else if (described.parentWorkflowId !== obs.parentWorkflowId)
          problems.push(`${id} has parent ${described.parentWorkflowId ?? 'none'}`);
        else if (!listed) problems.push(`${id} is missing from the list of ${obs.parentWorkflowId}'s children`);
      }
      return problems.length ? fail(problems.join('; ')) : ok();
    },
  },
  '06-status-queries': {
    scenario: SCENARIOS_06.statusEarly,
    check: (obs) => {
      if (!obs.queries) return fail(NO_HISTORY);
      const problems: string[] = [];
      const early = obs.earlyQuery as { state?: string; queryError?: string } | undefined;
      const wrongName = early?.queryError && wrongQueryName('the parent', early.queryError);
      if (wrongName) {
        problems.push(wrongName);
      } else if (early?.queryError) {
        const why = /did not register a handler for status/i.test(early.queryError)
          ? 'no handler for it was registered yet'
          : early.queryError.split('\n')[0].slice(0, 120);
        problems.push(
          `while the order was still validating, the parent did not answer 'status' (${why}): register the handler before the first await`,
        );
      } else if (early && early.state !== 'VALIDATING') {
        problems.push(
          `while the order was validating, the parent reported state ${JSON.stringify(early.state)}, expected VALIDATING`,
        );
      }
      for (const kind of CHILDREN) {
        const answer = obs.queries.children[kind] as { state?: string; queryError?: string } | undefined;
        const id = `${kind}-${obs.order.orderId}`;
        if (!answer || answer.queryError)
          problems.push(
            (answer?.queryError && wrongQueryName(id, answer.queryError)) ||
              `${id} did not answer 'status' (${answer?.queryError ? queryErrorLine(answer.queryError) : 'no answer'})`,
          );
        else if (answer.state !== 'COMPLETED')
          problems.push(`${kind} reports state ${JSON.stringify(answer.state)}, expected COMPLETED`);
      }
      const parent = obs.queries.parent as {
        state?: string;
        children?: Record<string, { state?: string }>;
        queryError?: string;
      };
      if (parent?.queryError) {
        if (!wrongName)
          problems.push(
            wrongQueryName('the parent', parent.queryError) ??
              `the parent did not answer 'status' (${queryErrorLine(parent.queryError)})`,
          );
      } else if (parent?.state !== 'COMPLETED')
        problems.push(`the parent reports state ${JSON.stringify(parent?.state)}, expected COMPLETED`);
      else {
        const missing = CHILDREN.filter((kind) => parent.children?.[kind]?.state !== 'COMPLETED');
        if (missing.length) problems.push(`the parent's status does not list ${missing.join(', ')} as COMPLETED`);
      }
      return problems.length ? fail(problems.join('; ')) : ok();
    },
  },
  '06-child-level-retries': {
    scenario: SCENARIOS_06.everyStepFlaky,
    check: (obs) => {
      const runs = childRuns(obs);
      if (!runs || !obs.childHistories) return fail(NO_HISTORY);
      const first = failuresFirst(SCENARIOS_06.everyStepFlaky.faults);
      const problems: string[] = [];
      const attempts: string[] = [];
      const rerun: string[] = [];
      for (const kind of CHILDREN) {
        const history = obs.childHistories[kind];
        if (!history) continue; // never started: the order's outcome below says why
        const activity = CHILD_ACTIVITY[kind];
        // A child workflow retried as a whole starts a new run with the next attempt number.
        const runOfChild = history.events?.[0]?.workflowExecutionStartedEventAttributes?.attempt ?? 1;
        if (runOfChild > 1) {
          rerun.push(`${kind} ${runOfChild} runs`);
          continue;
        }
        const run = activityRunsIn(history).find((r) => r.type === activity);
        if (!run) {
          problems.push(`${kind}'s own history schedules no ${activity}`);
          continue;
        }
        const attempt = run.attempt ?? 1;
        if (run.closedAs !== 'completed') {
          const limit = run.maximumAttempts ? ` of maximumAttempts ${run.maximumAttempts}` : '';
          problems.push(
            `${activity} ${run.closedAs ?? 'never finished'} on attempt ${attempt}${limit} in ${kind}'s own history: a transient error failed the step instead of being retried inside its child`,
          );
        } else if (attempt <= (first[kind] ?? 0)) {
          problems.push(
            `${activity} completed on attempt ${attempt} in ${kind}'s own history; expected attempt ${(first[kind] ?? 0) + 1}`,
          );
        } else {
          attempts.push(`${kind} ${attempt}`);
        }
      }
      if (rerun.length)
        problems.unshift(
          `children run again as a whole (a retry policy on executeChild): ${rerun.join(', ')}; retry each activity inside its child instead`,
        );
      if (obs.outcome.kind !== 'completed') problems.push(`the order ${ending(obs.outcome)}`);
      else if (obs.audit.notifications.length !== 1)
        problems.push(
          `the order completed with ${obs.audit.notifications.length} confirmation email(s); expected one, sent on its second attempt`,
        );
      const starts = CHILDREN.filter((kind) => runs.filter((r) => r.kind === kind).length > 1);
      if (starts.length)
        problems.push(`the parent started ${starts.join(', ')} more than once: each retry belongs inside its child`);
      if (obs.audit.charges.length > 1) problems.push(`the customer was charged ${obs.audit.charges.length} times`);
      // One service call per attempt the worker ran. (A task lost on its way to the worker makes no call;
      // the server retries it after its StartToClose timeout.)
      for (const kind of CHILDREN) {
        const calls = callsOf(obs, kind);
        const ran = (obs.attemptsRun?.[CHILD_ACTIVITY[kind]] ?? []).length;
        if (calls !== ran)
          problems.push(`${kind} was called ${calls} time(s) in ${ran} attempt(s); expected one call per attempt`);
      }
      if (problems.length) return fail(problems.join('; '));
      return ok(
        `completed on attempt ${attempts.join(', ')}, each inside its child's own history; one run per child, one charge`,
      );
    },
  },
  '06-notification-failure-tolerated': {
    scenario: SCENARIOS_06.notificationFails,
    check: (obs) => {
      if (obs.outcome.kind !== 'completed') {
        return fail(`a failed email: the order ${ending(obs.outcome)}`);
      }
      const a = obs.audit;
      if (a.shipments.filter((s) => !s.cancelled).length !== 1 || a.refunds.length !== 0) {
        return fail('the order should stay shipped and charged; the ledger shows a cancelled shipment or a refund');
      }
      const warnings = (obs.outcome as { result?: { warnings?: unknown[] } }).result?.warnings;
      if (Array.isArray(warnings) && warnings.length === 0)
        return fail('the result records no warning about the email');
      return ok();
    },
  },
} satisfies Record<string, Check>;
