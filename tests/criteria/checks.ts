/**
 * The success criteria as real checks over observations. Each criterion names the scenario it
 * needs (or several, read by the same check); the metadata (title, Part, hint) lives in the lesson
 * manifest (common/lessons.ts).
 */
import type { temporal } from '@temporalio/proto';
import { LESSON_IDS, LESSONS, type CriterionSpec, type LessonId } from '../../common/lessons';
import { ACTIVITY_STEPS_02, CHILD_KINDS, Kind, Observation, Scenario } from './observe';
import { CHECKS_03 } from './checks-03';
import { CHECKS_07 } from './checks-07';
import { CHECKS_08 } from './checks-08';
import { CHILD_TYPES, childRuns, num } from './child-runs';
import { queryErrorLine, wrongQueryName } from './query-errors';

/** A criterion as the manifest states it, with the lesson it belongs to. */
export interface CriterionMeta extends CriterionSpec {
  lesson: LessonId;
}

export interface Verdict {
  pass: boolean;
  /** Why it failed (or what was seen), in plain words. */
  detail: string;
}

export const SCENARIOS = {
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
  // Lesson 02
  happy02: { id: '02-happy', faults: 'none' },
  // Every service fails its first call: each activity, called on its own, must let that error escape.
  activitiesAlone02: {
    id: '02-activities-alone',
    faults: 'validate=first:1,payment=first:1,inventory=first:1,shipping=first:1',
    mode: 'activities',
  },
  flaky02: { id: '02-flaky', faults: 'payment=first:1,inventory=first:2' },
  // The solution fails this order in about 1.5 s; a forgotten maximumAttempts is reported as soon as
  // the watch sees the retries (hopeless). The default bound leaves room for a task lost on its way to
  // the worker, which the server retries only after its 10-s StartToClose timeout.
  inventoryFails02: {
    id: '02-inventory-fails',
    faults: 'inventory=always',
    hopeless: ['reserveInventory'],
  },
  declined02: {
    id: '02-declined',
    faults: 'none',
    order: { paymentToken: 'tok_declined' },
    hopeless: ['chargePayment'],
  },
} satisfies Record<string, Scenario>;

const ok = (detail = 'ok'): Verdict => ({ pass: true, detail });
const fail = (detail: string): Verdict => ({ pass: false, detail });

const NO_HISTORY = 'no workflow history: this target runs no Temporal workflows';

// ---- lesson 02: activities read from the workflow's history --------------------------------------

interface ActivityRun {
  type: string;
  scheduledId: number;
  maximumAttempts?: number;
  backoffCoefficient?: number;
  /** The attempt of the last ActivityTaskStarted (the history records only the last attempt's start). */
  attempt?: number;
  closedId?: number;
  closedAs?: string;
  /** ActivityTaskFailed: the failure of the last attempt, as the worker reported it. */
  failure?: { message: string; type?: string; nonRetryable: boolean };
}

/** The activities the workflow scheduled, from its event history, in the order it scheduled them. */
export function activityRuns(obs: Observation): ActivityRun[] | undefined {
  return obs.history ? activityRunsIn(obs.history) : undefined;
}

/** The activities scheduled in one workflow's event history, in the order they were scheduled. */
export function activityRunsIn(history: temporal.api.history.v1.IHistory): ActivityRun[] {
  const runs = new Map<number, ActivityRun>();
  for (const event of history.events ?? []) {
    const id = num(event.eventId);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      runs.set(id, {
        type: scheduled.activityType?.name ?? '',
        scheduledId: id,
        maximumAttempts: scheduled.retryPolicy?.maximumAttempts ?? undefined,
        backoffCoefficient: scheduled.retryPolicy?.backoffCoefficient ?? undefined,
      });
      continue;
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const run = runs.get(num(started.scheduledEventId));
      if (run) run.attempt = started.attempt ?? undefined;
      continue;
    }
    const closes: [string, { scheduledEventId?: unknown } | null | undefined][] = [
      ['completed', event.activityTaskCompletedEventAttributes],
      ['failed', event.activityTaskFailedEventAttributes],
      ['timed out', event.activityTaskTimedOutEventAttributes],
      ['cancelled', event.activityTaskCanceledEventAttributes],
    ];
    for (const [closedAs, attrs] of closes) {
      const run = attrs ? runs.get(num(attrs.scheduledEventId)) : undefined;
      if (run) {
        run.closedId = id;
        run.closedAs = closedAs;
      }
    }
    const failure = event.activityTaskFailedEventAttributes?.failure;
    const failed = failure ? runs.get(num(event.activityTaskFailedEventAttributes!.scheduledEventId)) : undefined;
    if (failure && failed) {
      failed.failure = {
        message: failure.message ?? '',
        type: failure.applicationFailureInfo?.type ?? undefined,
        nonRetryable: failure.applicationFailureInfo?.nonRetryable === true,
      };
    }
  }
  return [...runs.values()];
}

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

function callsOf(obs: Observation, step: string): number {
  return obs.calls.filter((c) => c.step === step).length;
}

/** How an order that did not complete ended, in words: `failed: …`, `was stopped: …`. */
export function ending(outcome: Observation['outcome']): string {
  switch (outcome.kind) {
    case 'completed':
      return 'completed';
    case 'retrying-forever':
      return `was stopped: ${outcome.message}`;
    case 'stuck':
      return `was stopped: a workflow task keeps failing (${outcome.message.split('\n')[0]})`;
    default:
      return `ended as ${outcome.kind}: ${outcome.message}`;
  }
}

function completed(obs: Observation): Verdict {
  if (obs.outcome.kind === 'completed') return ok();
  return fail(`the order ${ending(obs.outcome)}`);
}

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

/** Lesson 02's shipping rule (docs/02-order-processing.md, Part D): $5.99 for the first unit, $1.50 per extra unit. */
function expectedShippingCents(obs: Observation): number {
  const units = obs.order.items.reduce((sum, item) => sum + item.quantity, 0);
  return 599 + 150 * (units - 1);
}

export interface Criterion extends CriterionMeta {
  scenario: Scenario;
  /**
   * More scenarios the same check reads, one observation each (say, the same mistake met at each step):
   * the criterion passes only when the check passes on every one of them.
   */
  moreScenarios?: Scenario[];
  check: (obs: Observation) => Verdict;
}

/** Every scenario a criterion reads, its own first. */
export function scenariosOf(criterion: Pick<Criterion, 'scenario' | 'moreScenarios'>): Scenario[] {
  return [criterion.scenario, ...(criterion.moreScenarios ?? [])];
}

/** Lesson 06's steps that can be undone, in the order they run. */
const COMPENSABLE = ['payment', 'inventory', 'shipping'] as const;
type Compensable = (typeof COMPENSABLE)[number];

/** The activity each lesson-06 child runs. */
const CHILD_ACTIVITY: Record<Kind, string> = {
  payment: 'chargePayment',
  inventory: 'reserveInventory',
  shipping: 'arrangeShipment',
  notification: 'sendConfirmation',
};

/** The step an `after:N` scenario of 06-compensate-half-done-steps makes half-succeed. */
const HALF_DONE: Record<string, Compensable> = {
  [SCENARIOS.paymentHalfDone.id]: 'payment',
  [SCENARIOS.inventoryHalfDone.id]: 'inventory',
  [SCENARIOS.shippingHalfDone.id]: 'shipping',
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

const CHECKS: Record<string, Pick<Criterion, 'scenario' | 'moreScenarios' | 'check'>> = {
  ...CHECKS_03,
  ...CHECKS_07,
  ...CHECKS_08,
  '06-children-work-alone': {
    scenario: SCENARIOS.childrenAlone,
    check: (obs) => {
      if (!obs.childOutcomes) return fail(NO_HISTORY);
      const problems: string[] = [];
      for (const kind of CHILD_KINDS) {
        const outcome = obs.childOutcomes[kind];
        if (outcome?.kind !== 'completed') {
          const why = outcome && 'message' in outcome ? outcome.message : 'it did not run';
          problems.push(`${kind}Workflow on its own ended ${outcome?.kind ?? 'unknown'}: ${why.split('\n')[0]}`);
        }
      }
      if (problems.length) return fail(problems.join('; '));
      const a = obs.audit;
      const id = (kind: Kind) => `${kind}-${obs.order.orderId}`;
      const effects: [string, { key: string }[], Kind][] = [
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
    scenario: SCENARIOS.happy,
    check: (obs) => {
      const done = completed(obs);
      if (!done.pass) return done;
      const a = obs.audit;
      const counts = `charges ${a.charges.length}, reservations ${a.reservations.length}, shipments ${a.shipments.length}, emails ${a.notifications.length}, refunds ${a.refunds.length}`;
      if (
        a.charges.length !== 1 ||
        a.reservations.length !== 1 ||
        a.shipments.length !== 1 ||
        a.notifications.length !== 1 ||
        a.refunds.length !== 0
      ) {
        return fail(`expected exactly one of each side effect and no refund; the ledger has ${counts}`);
      }
      if (a.charges[0].amountCents !== 105_997)
        return fail(`charged ${a.charges[0].amountCents} cents, expected 105997 (the order total)`);
      return ok(counts);
    },
  },
  '06-four-children': {
    scenario: SCENARIOS.happy,
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
    scenario: SCENARIOS.happy,
    check: (obs) => {
      const runs = childRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      const wrong = CHILD_KINDS.filter(
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
    scenario: SCENARIOS.happy,
    check: (obs) => {
      const runs = childRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      const kinds = runs.map((r) => r.kind ?? r.type);
      if (kinds.join() !== CHILD_KINDS.join())
        return fail(
          `children started in the order ${kinds.join(' → ') || '(none)'}; expected ${CHILD_KINDS.join(' → ')}`,
        );
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
    scenario: SCENARIOS.shippingFails,
    check: (obs) => {
      if (obs.outcome.kind === 'completed') return fail('the order completed although shipping always fails');
      const undo = callOrder(obs, ['release', 'refund']);
      if (undo.join() !== 'release,refund')
        return fail(`compensations seen in the ledger: ${undo.join(' → ') || 'none'}; expected release → refund`);
      return ledgerClean(obs);
    },
  },
  '06-compensate-inventory-failure': {
    scenario: SCENARIOS.inventoryFails,
    check: (obs) => {
      if (obs.outcome.kind === 'completed') return fail('the order completed although inventory always fails');
      if (!obs.audit.refunds.length) return fail('the payment was not refunded');
      return ledgerClean(obs);
    },
  },
  '06-compensate-half-done-steps': {
    scenario: SCENARIOS.paymentHalfDone,
    moreScenarios: [SCENARIOS.inventoryHalfDone, SCENARIOS.shippingHalfDone],
    check: halfDoneUndone,
  },
  '06-visible-separately': {
    scenario: SCENARIOS.happy,
    check: (obs) => {
      if (!obs.children || !obs.listedChildren) return fail(NO_HISTORY);
      const problems: string[] = [];
      for (const kind of CHILD_KINDS) {
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
    scenario: SCENARIOS.statusEarly,
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
      for (const kind of CHILD_KINDS) {
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
        const missing = CHILD_KINDS.filter((kind) => parent.children?.[kind]?.state !== 'COMPLETED');
        if (missing.length) problems.push(`the parent's status does not list ${missing.join(', ')} as COMPLETED`);
      }
      return problems.length ? fail(problems.join('; ')) : ok();
    },
  },
  '06-child-level-retries': {
    scenario: SCENARIOS.everyStepFlaky,
    check: (obs) => {
      const runs = childRuns(obs);
      if (!runs || !obs.childHistories) return fail(NO_HISTORY);
      const first = failuresFirst(SCENARIOS.everyStepFlaky.faults);
      const problems: string[] = [];
      const attempts: string[] = [];
      const rerun: string[] = [];
      for (const kind of CHILD_KINDS) {
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
      const starts = CHILD_KINDS.filter((kind) => runs.filter((r) => r.kind === kind).length > 1);
      if (starts.length)
        problems.push(`the parent started ${starts.join(', ')} more than once: each retry belongs inside its child`);
      if (obs.audit.charges.length > 1) problems.push(`the customer was charged ${obs.audit.charges.length} times`);
      // One service call per attempt the worker ran. (A task lost on its way to the worker makes no call;
      // the server retries it after its StartToClose timeout.)
      for (const kind of CHILD_KINDS) {
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
  '02-happy-path': {
    scenario: SCENARIOS.happy02,
    check: (obs) => {
      const done = completed(obs);
      if (!done.pass) return done;
      const a = obs.audit;
      const counts = `charges ${a.charges.length}, reservations ${a.reservations.length}, shipments ${a.shipments.length}, refunds ${a.refunds.length}`;
      if (a.charges.length !== 1 || a.reservations.length !== 1 || a.shipments.length !== 1 || a.refunds.length !== 0) {
        return fail(`expected one charge, one reservation, one shipment and no refund; the ledger has ${counts}`);
      }
      const calls = ACTIVITY_STEPS_02.map(([, step]) => `${step} ${callsOf(obs, step)}`);
      if (ACTIVITY_STEPS_02.some(([, step]) => callsOf(obs, step) !== 1))
        return fail(`expected one call per service; the ledger has ${calls.join(', ')}`);
      const total = obs.order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
      if (a.charges[0].amountCents !== total)
        return fail(`charged ${a.charges[0].amountCents} cents, expected ${total} (the order total)`);
      return ok(counts);
    },
  },
  '02-activities-in-order': {
    scenario: SCENARIOS.happy02,
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
    scenario: SCENARIOS.activitiesAlone02,
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
    scenario: SCENARIOS.flaky02,
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
    scenario: SCENARIOS.inventoryFails02,
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
    scenario: SCENARIOS.declined02,
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
    scenario: SCENARIOS.happy02,
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
  '06-notification-failure-tolerated': {
    scenario: SCENARIOS.notificationFails,
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
};

export const CRITERIA: Criterion[] = LESSON_IDS.flatMap((lesson) =>
  LESSONS[lesson].criteria.map((spec) => {
    const check = CHECKS[spec.id];
    if (!check) throw new Error(`common/lessons.ts names ${spec.id}, which has no check in tests/criteria/checks.ts`);
    return { ...spec, lesson, ...check };
  }),
);

export function criteriaFor(lesson: string, part?: string): Criterion[] {
  return CRITERIA.filter((c) => c.lesson === lesson && (!part || c.part === part));
}
