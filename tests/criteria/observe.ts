/**
 * Runs one scenario (an order plus a fault plan) against a target and records everything the
 * criteria need: the outcome, the ledger, the parent's event history, what visibility says about
 * each child, and each workflow's answer to the `status` query.
 *
 * Every target belongs to a lesson (default 06), which names the workflow to start (lesson 06:
 * `orderFulfillmentWorkflow` as `order-<orderId>`; 07: `parallelFulfillmentWorkflow`, same ID). A
 * lesson with children also records them and their `status` queries; lesson 02 has neither.
 *
 * Targets:
 *   - a Temporal implementation (solution/, exercises/, or a copy of either) run by a worker on the
 *     test server with a fresh ledger and a unique task queue;
 *   - the original monolith, run with the same order, fault plan and a fresh ledger.
 */
import type { temporal } from '@temporalio/proto';
import { WorkflowFailedError } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { troubleOf } from '../../common/workflow-trouble';
import { childWorkflowIdOf, LESSONS, orderWorkflowId, type LessonId, type TargetName } from '../../common/lessons';
import {
  Audit,
  CallRow,
  FaultPlan,
  itemCount,
  LatencyPlan,
  Order,
  orderTotalCents,
  REPO_ROOT,
  sampleOrder,
  Services,
  splitByWarehouse,
} from '../../services';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker } from '@temporalio/worker';
import { attemptInterceptor } from '../../common/worker';
import { DeliveryLog, freshServices, uniqueTaskQueue, type AttemptsRun } from '../support/harness';
import { testEnv } from '../../common/kit/server';
import { lessonBundle } from './bundle';
import { originalOf } from '../../common/kit/lesson-code';
import { traced } from './trace';

export { REPO_ROOT };
export const CHILD_KINDS = ['payment', 'inventory', 'shipping', 'notification'] as const;
export type Kind = (typeof CHILD_KINDS)[number];

export type Target =
  | {
      kind: 'temporal';
      name: string;
      /** e.g. <repo>/solution/06-order-fulfillment */
      lessonDir: string;
      lesson: LessonId;
    }
  | { kind: 'original'; name: 'original'; lesson: LessonId };

/** A lesson's code in solution/ or exercises/. */
export function lessonTarget(name: TargetName, lesson: LessonId): Target {
  return { kind: 'temporal', name, lessonDir: path.join(REPO_ROOT, name, LESSONS[lesson].folder), lesson };
}

/** A lesson's original (the "before" code), run with the same orders, faults and ledger checks. */
export function originalTarget(lesson: LessonId): Target {
  return { kind: 'original', name: 'original', lesson };
}

/** The solution's slowest scenario takes about 5 s; a run still going after this is broken. */
export const DEFAULT_TIMEOUT_MS = 20_000;

export interface Scenario {
  id: string;
  faults: string;
  /** Changes to the sample order (e.g. a declined card token). */
  order?: Partial<Order>;
  /** How long the order may take before the run is stopped and explained (ms). */
  timeoutMs?: number;
  /** ORDER_LATENCY-style simulated latency, e.g. `validate=1500ms`. */
  latency?: string;
  /**
   * What runs: the whole order (default); each child workflow started on its own, without the parent
   * (lesson 06 Part A); or each activity called once in a mock activity context, without any workflow
   * (lesson 02 Part A).
   */
  mode?: 'order' | 'children' | 'activities';
  /**
   * A lesson's own way to run the scenario, instead of one order on one worker (lesson 08: orders started
   * on one build and finished on another). It starts whatever it needs; the checks read its `lessonData`.
   */
  observe?: (target: Extract<Target, { kind: 'temporal' }>, scenario: Scenario) => Promise<Observation>;
  /** Query the parent's `status` while it validates (needs validate latency). */
  earlyQuery?: boolean;
  /**
   * Activities this scenario makes fail on every attempt. One of them retried without a limit
   * (maximumAttempts unset) can never end, so the run is stopped as soon as it is seen retrying.
   */
  hopeless?: string[];
  /** Ask the parent and each child (if it has any) for `status` every 100 ms while the order runs. */
  watchStatus?: boolean;
  /** Also fetch each child's own event history (the latest run of its workflow ID), after the order ended. */
  childHistories?: boolean;
  /**
   * After the order, while the worker still runs: ask the parent and every child for `status`, describe
   * each child and list the parent's children (lessons with children). Off unless a criterion reads them.
   */
  inspect?: boolean;
}

export type Outcome =
  | { kind: 'completed'; result?: any }
  | {
      kind: 'failed';
      message: string;
      type?: string;
      details?: any;
      /** The deepest message of the `.cause` chain, when it differs. */ root?: string;
    }
  | { kind: 'cancelled'; message: string }
  | { kind: 'timeout'; message: string }
  /** A workflow task kept failing (a bug in workflow code): the run was stopped early. */
  | { kind: 'stuck'; message: string; workflowId: string; nondeterminism: boolean }
  /** An activity that cannot succeed was being retried without a limit: the run was stopped early. */
  | { kind: 'retrying-forever'; message: string; workflowId: string; activity: string; attempt: number }
  | { kind: 'error'; message: string };

export interface ChildView {
  workflowId: string;
  /** From describe (visibility): undefined when the server does not know the workflow. */
  type?: string;
  parentWorkflowId?: string;
  status?: string;
}

export interface Observation {
  target: string;
  scenario: string;
  order: Order;
  parentWorkflowId: string;
  outcome: Outcome;
  audit: Audit;
  calls: CallRow[];
  /** The parent's event history; absent for the original. */
  history?: temporal.api.history.v1.IHistory;
  /** Scenario `childHistories`: each child's own event history (its latest run), for the children that ran. */
  childHistories?: Partial<Record<Kind, temporal.api.history.v1.IHistory>>;
  /** Workflows whose parent is the order's parent, as the visibility list reports them. */
  listedChildren?: ChildView[];
  children?: Record<Kind, ChildView>;
  /** Scenario `inspect`: each workflow's answer to `status` once the order ended. */
  queries?: { parent: unknown; children: Record<Kind, unknown> };
  /** The parent's answer to `status` while it was still validating the order (earlyQuery). */
  earlyQuery?: unknown;
  /** watchStatus: what the parent and each child answered to `status` while the order ran, oldest first. */
  statusSamples?: StatusSample[];
  /** Mode `children`: how each child run on its own ended. */
  childOutcomes?: Partial<Record<Kind, Outcome>>;
  /** Mode `activities`: each activity called twice (the first call meets a fault): what happened. */
  activityCalls?: ActivityProbe[];
  /**
   * Runs with a worker: for each activity type, the attempt numbers the grader's worker began, in order.
   * An attempt missing here never reached the worker (the server retried it after its StartToClose
   * timeout), so it made no service call.
   */
  attemptsRun?: AttemptsRun;
  /** What a scenario's own observer (Scenario.observe) recorded for its lesson's checks. */
  lessonData?: unknown;
}

export interface StatusSample {
  /** Milliseconds since the order started. */
  atMs: number;
  parent: unknown;
  children: Partial<Record<Kind, unknown>>;
}

export interface ActivityProbe {
  activity: string;
  step: string;
  /** Service calls made during the first invocation, which met an injected fault. */
  callsInFirstInvocation: number;
  /** How the first invocation ended: `threw: …` or `returned`. */
  first: string;
  /** How the second invocation ended. */
  second: string;
  /** What the second invocation returned, when it did. */
  result?: unknown;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function settle<T>(promise: Promise<T>): Promise<T | { queryError: string }> {
  try {
    return await promise;
  } catch (err) {
    return { queryError: errorMessage(err) };
  }
}

function orderFor(scenario: Scenario): Order {
  // A unique order ID per run keeps workflow IDs apart on the shared test server.
  return { ...sampleOrder(`ORDER-${scenario.id}-${randomUUID().slice(0, 8)}`), ...scenario.order };
}

async function observeOriginal(
  target: Target,
  scenario: Scenario,
  services: Services,
  order: Order,
): Promise<Observation> {
  const lesson = target.lesson;
  const logger = { warn: () => undefined };
  const result = await originalOf(lesson)(order, services, logger);
  return {
    target: target.name,
    scenario: scenario.id,
    order,
    parentWorkflowId: orderWorkflowId(lesson, order.orderId),
    outcome:
      result.status === 'completed'
        ? { kind: 'completed', result }
        : { kind: 'failed', message: result.error ?? 'failed' },
    audit: services.ledger.audit(),
    calls: services.ledger.calls(),
  };
}

type EarlyEnd = Extract<Outcome, { kind: 'stuck' | 'retrying-forever' }>;

/**
 * Watches a run for the two ways it can never end, and reports the first one seen instead of waiting
 * for the timeout:
 *   - a workflow task that keeps failing (a plain Error, a nondeterministic change): Temporal retries
 *     a failed workflow task forever;
 *   - an activity the scenario makes fail for good (`hopeless`), retried with no maximumAttempts and
 *     no schedule-to-close deadline: Temporal retries it forever.
 * It describes each workflow (and, with `followChildren`, every child it has running) a few times a
 * second; the history is fetched only when a workflow task has failed, for its message.
 */
function watchRun(ids: string[], scenario: Scenario, followChildren: boolean) {
  const client = testEnv().client;
  const hopeless = new Set(scenario.hopeless ?? []);
  let stopped = false;
  const inspect = async (workflowId: string, more: string[]): Promise<EarlyEnd | undefined> => {
    let raw;
    try {
      raw = (await client.workflow.getHandle(workflowId).describe()).raw;
    } catch {
      return undefined; // not started (yet)
    }
    if (followChildren)
      for (const child of raw.pendingChildren ?? []) if (child.workflowId) more.push(child.workflowId);
    const trouble = await troubleOf(client, workflowId, raw);
    if (trouble) return { kind: 'stuck', ...trouble };
    // Without a schedule-to-close timeout of its own, an activity's deadline is the workflow's (the
    // execution timeout the grader sets): that is no limit of the learner's.
    const seconds = (t?: { seconds?: unknown; nanos?: number | null } | null) =>
      Number(t?.seconds ?? 0) + (t?.nanos ?? 0) / 1e9;
    const config = raw.executionConfig;
    const workflowTimeout = seconds(config?.workflowRunTimeout) || seconds(config?.workflowExecutionTimeout);
    const workflowDeadline = workflowTimeout ? seconds(raw.workflowExecutionInfo?.startTime) + workflowTimeout : 0;
    for (const activity of raw.pendingActivities ?? []) {
      const name = activity.activityType?.name ?? '';
      const expires = seconds(activity.expirationTime);
      const deadline = expires > 0 && (!workflowDeadline || expires < workflowDeadline - 1);
      const attempt = activity.attempt ?? 0;
      if (hopeless.has(name) && attempt >= 2 && !activity.maximumAttempts && !deadline) {
        return {
          kind: 'retrying-forever',
          message: `${name} failed ${attempt - 1} time(s) and is retried with no maximumAttempts: it would be retried forever`,
          workflowId,
          activity: name,
          attempt,
        };
      }
    }
    return undefined;
  };
  const found = (async (): Promise<EarlyEnd> => {
    for (let tick = 0; !stopped; tick++) {
      // Soon after the start, then twice a second: each look is one describe per running workflow.
      await new Promise((resolve) => setTimeout(resolve, tick === 0 ? 300 : 500));
      const queue = [...ids];
      const seen = new Set<string>();
      while (queue.length && !stopped) {
        const batch = queue.splice(0).filter((id) => !seen.has(id));
        batch.forEach((id) => seen.add(id));
        const results = await Promise.all(batch.map((id) => inspect(id, queue)));
        const end = results.find(Boolean);
        if (end && !stopped) return end;
      }
    }
    return new Promise<never>(() => undefined);
  })();
  return { found, stop: () => (stopped = true) };
}

/** Children of `parentId` according to the visibility store (list, then describe each). */
async function listChildren(parentId: string, expected: number): Promise<ChildView[]> {
  const client = testEnv().client;
  const deadline = Date.now() + 5000;
  let views: ChildView[] = [];
  // Visibility is eventually consistent: poll briefly until every child shows up.
  while (Date.now() < deadline) {
    views = [];
    for await (const info of client.workflow.list({ query: `ParentWorkflowId = "${parentId}"` })) {
      views.push({
        workflowId: info.workflowId,
        type: info.type,
        status: info.status.name,
        parentWorkflowId: info.parentExecution?.workflowId ?? undefined,
      });
    }
    if (views.length >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return views;
}

/**
 * The parent's first answer to `status` while it is still validating (the scenario slows validation
 * down). A parent that registers its handler only after an await cannot answer yet.
 */
async function queryWhileValidating(handle: { query: (name: string) => Promise<unknown> }): Promise<unknown> {
  const deadline = Date.now() + 1_000;
  let last: unknown = { queryError: 'no answer' };
  while (Date.now() < deadline) {
    last = await settle(handle.query('status'));
    if (!(typeof last === 'object' && last !== null && 'queryError' in last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return last;
}

/**
 * Asks the parent and every child for `status` every 100 ms until stopped, keeping each round's
 * answers (a workflow that does not exist yet, or has no handler, answers with a queryError).
 */
function watchStatus(handle: { query: (name: string) => Promise<unknown> }, lesson: LessonId, orderId: string) {
  const client = testEnv().client;
  const samples: StatusSample[] = [];
  const started = Date.now();
  let stopped = false;
  // A lesson without children (03) has only the workflow's own `status` to ask.
  const kinds = LESSONS[lesson].children.length > 0 ? CHILD_KINDS : [];
  const done = (async () => {
    while (!stopped) {
      const atMs = Date.now() - started;
      const [parent, ...children] = await Promise.all([
        settle(handle.query('status')),
        ...kinds.map((kind) =>
          settle(client.workflow.getHandle(childWorkflowIdOf(lesson, kind, orderId)).query('status')),
        ),
      ]);
      samples.push({ atMs, parent, children: Object.fromEntries(kinds.map((kind, i) => [kind, children[i]])) });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    /**
     * Ends the sampling. `waitForRound`: also wait for the round in flight, unless a workflow's task
     * keeps failing: its query would only end at the server's query timeout (30 s).
     */
    stop: async (waitForRound = true) => {
      stopped = true;
      if (waitForRound) await done;
      return [...samples];
    },
  };
}

/**
 * The ledger once every call has ended. A call still in flight when the order ended (a sibling the
 * code stopped waiting for) can land afterwards; the audit must see it.
 */
async function settledLedger(services: Services): Promise<Pick<Observation, 'audit' | 'calls'>> {
  const deadline = Date.now() + 10_000;
  while (services.ledger.calls().some((c) => c.outcome === 'started') && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { audit: services.ledger.audit(), calls: services.ledger.calls() };
}

/** Inputs for running each child of lesson 06 on its own, as the parent would start it. */
function childInputs(order: Order): Record<Kind, unknown> {
  return {
    payment: { orderId: order.orderId, amountCents: orderTotalCents(order.items), paymentToken: order.paymentToken },
    inventory: { orderId: order.orderId, items: order.items.map(({ sku, quantity }) => ({ sku, quantity })) },
    shipping: { orderId: order.orderId, address: order.customer.address, itemCount: itemCount(order.items) },
    notification: { orderId: order.orderId, email: order.customer.email, trackingNumber: '1ZCHILDALONE' },
  };
}

/** Lesson 06, Part A: each child workflow started on its own (no parent), all four at once. */
async function observeChildrenAlone(
  target: Extract<Target, { kind: 'temporal' }>,
  scenario: Scenario,
  services: Services,
  order: Order,
  rig: Rig,
): Promise<Observation> {
  const client = testEnv().client;
  const inputs = childInputs(order);
  const childOutcomes: Partial<Record<Kind, Outcome>> = {};
  const release = rig.serve(order.orderId, services);
  try {
    await Promise.all(
      CHILD_KINDS.map(async (kind) => {
        const workflowId = `${kind}-${order.orderId}`;
        try {
          const handle = await client.workflow.start(`${kind}Workflow`, {
            taskQueue: rig.taskQueue,
            workflowId,
            args: [inputs[kind]],
            workflowExecutionTimeout: scenario.timeoutMs ?? 10_000,
          });
          const stuck = watchRun([workflowId], scenario, false);
          try {
            const first = await Promise.race([handle.result().then((result) => ({ done: result })), stuck.found]);
            childOutcomes[kind] = 'done' in first ? { kind: 'completed', result: first.done } : first;
            if (!('done' in first)) await handle.terminate('stopped by the grader').catch(() => undefined);
          } finally {
            stuck.stop();
          }
        } catch (err) {
          childOutcomes[kind] = failedOutcome(err, scenario);
        }
      }),
    );
  } finally {
    release();
  }
  const failed = CHILD_KINDS.find((k) => childOutcomes[k]?.kind !== 'completed');
  return {
    target: target.name,
    scenario: scenario.id,
    order,
    parentWorkflowId: orderWorkflowId(target.lesson, order.orderId),
    outcome: failed ? childOutcomes[failed]! : { kind: 'completed' },
    childOutcomes,
    audit: services.ledger.audit(),
    calls: services.ledger.calls(),
  };
}

/** Lesson 02's activities and the service step each one calls, in the order the workflow runs them. */
export const ACTIVITY_STEPS_02 = [
  ['validateOrder', 'validate'],
  ['chargePayment', 'payment'],
  ['reserveInventory', 'inventory'],
  ['arrangeShipment', 'shipping'],
] as const;

/** Lesson 03's forward activities (its Part A) and the service step each one calls, in the workflow's order. */
export const ACTIVITY_STEPS_03 = [
  ['validateOrder', 'validate'],
  ['chargePayment', 'payment'],
  ['reserveAtWarehouse', 'inventory'],
  ['arrangeShipment', 'shipping'],
  ['sendConfirmation', 'notification'],
] as const;

/** What lesson 03's workflow hands each of those activities for `order` (the reservation: its first warehouse). */
function activityInputs03(order: Order): Record<string, unknown> {
  const id = order.orderId;
  const [parcel] = splitByWarehouse(order.items);
  return {
    validateOrder: { idempotencyKey: `validate-03-${id}`, order },
    chargePayment: {
      idempotencyKey: `payment-03-${id}`,
      orderId: id,
      amountCents: orderTotalCents(order.items),
      paymentToken: order.paymentToken,
    },
    reserveAtWarehouse: {
      idempotencyKey: `inventory-${parcel.warehouse}-03-${id}`,
      orderId: id,
      warehouse: parcel.warehouse,
      items: parcel.items,
    },
    arrangeShipment: {
      idempotencyKey: `shipping-03-${id}`,
      orderId: id,
      address: order.customer.address,
      itemCount: itemCount(order.items),
    },
    sendConfirmation: {
      idempotencyKey: `notification-03-${id}`,
      orderId: id,
      email: order.customer.email,
      trackingNumber: '1ZACTIVITYALONE',
    },
  };
}

/**
 * Lesson 02, Part A: each activity called directly (a mock activity context, no workflow, no server)
 * while its service fails its first call. An activity that calls its service once lets that error
 * escape; one with a retry loop inside calls again and hides the failure from Temporal.
 */
async function observeActivitiesAlone(
  target: Extract<Target, { kind: 'temporal' }>,
  scenario: Scenario,
  services: Services,
  order: Order,
): Promise<Observation> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createActivities } = require(path.join(target.lessonDir, 'activities')) as {
    createActivities: (s: Services) => Record<string, (input: unknown) => Promise<unknown>>;
  };
  const activities = createActivities(services);
  const inputs: Record<string, unknown> = {
    validateOrder: { idempotencyKey: `validate-${order.orderId}`, order },
    chargePayment: {
      idempotencyKey: `payment-${order.orderId}`,
      orderId: order.orderId,
      amountCents: orderTotalCents(order.items),
      paymentToken: order.paymentToken,
    },
    reserveInventory: {
      idempotencyKey: `inventory-${order.orderId}`,
      orderId: order.orderId,
      items: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
    },
    arrangeShipment: {
      idempotencyKey: `shipping-${order.orderId}`,
      orderId: order.orderId,
      address: order.customer.address,
      itemCount: itemCount(order.items),
    },
  };
  const [steps, given] =
    target.lesson === '03' ? [ACTIVITY_STEPS_03, activityInputs03(order)] : [ACTIVITY_STEPS_02, inputs];
  // Failures are expected here (each service fails its first call): keep the SDK's log quiet.
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const probes: ActivityProbe[] = [];
  const describe = (err: unknown) => `threw: ${errorMessage(err).split('\n')[0]}`;
  for (const [name, step] of steps) {
    const fn = activities[name];
    if (typeof fn !== 'function') {
      probes.push({ activity: name, step, callsInFirstInvocation: 0, first: 'missing', second: 'missing' });
      continue;
    }
    const before = services.ledger.calls({ step }).length;
    const first = await env.run(fn, given[name]).then(() => 'returned', describe);
    const callsInFirstInvocation = services.ledger.calls({ step }).length - before;
    let result: unknown;
    const second = await env.run(fn, given[name]).then((value) => {
      result = value;
      return 'returned';
    }, describe);
    probes.push({
      activity: name,
      step,
      callsInFirstInvocation,
      first,
      second,
      ...(second === 'returned' ? { result } : {}),
    });
  }
  const todo = probes.map((p) => /TODO Part [A-Z]:.*/.exec(p.first)?.[0]).find(Boolean);
  return {
    target: target.name,
    scenario: scenario.id,
    order,
    parentWorkflowId: orderWorkflowId(target.lesson, order.orderId),
    // A starter's activities throw "TODO Part A: …": report that like any unfinished order.
    outcome: todo ? { kind: 'failed', message: todo, root: todo } : { kind: 'completed' },
    activityCalls: probes,
    audit: services.ledger.audit(),
    calls: services.ledger.calls(),
  };
}

/** A failure seen by a client (start refused, workflow failed) as an Outcome. */
function failedOutcome(err: unknown, scenario: Scenario): Outcome {
  if (err instanceof WorkflowFailedError) {
    const cause = err.cause;
    if (cause?.name === 'TimeoutFailure' || /timed out/i.test(err.message)) {
      return { kind: 'timeout', message: `it did not finish within ${(scenario.timeoutMs ?? 10_000) / 1000} s` };
    }
    if (cause?.name === 'CancelledFailure') return { kind: 'cancelled', message: cause.message };
    let deepest: Error = err;
    while (deepest.cause instanceof Error) deepest = deepest.cause;
    const message = cause?.message ?? err.message;
    return {
      kind: 'failed',
      message,
      ...(deepest.message !== message ? { root: deepest.message } : {}),
      type: cause instanceof ApplicationFailure ? (cause.type ?? undefined) : cause?.name,
    };
  }
  return { kind: 'error', message: errorMessage(err) };
}

async function observeTemporal(
  target: Extract<Target, { kind: 'temporal' }>,
  scenario: Scenario,
  services: Services,
  order: Order,
  rig: Rig,
): Promise<Observation> {
  const env = testEnv();
  const client = env.client;
  const taskQueue = rig.taskQueue;
  const lesson = target.lesson;
  const parentWorkflowId = orderWorkflowId(lesson, order.orderId);
  const observation: Observation = {
    target: target.name,
    scenario: scenario.id,
    order,
    parentWorkflowId,
    outcome: { kind: 'error', message: 'not run' },
    audit: services.ledger.audit(),
    calls: [],
  };
  const release = rig.serve(order.orderId, services);
  try {
    await (async () => {
      const handle = await client.workflow.start(LESSONS[lesson].workflowType, {
        taskQueue,
        workflowId: parentWorkflowId,
        args: [order],
        // A bound on the whole order: a broken implementation ends as a timeout, never a hang.
        workflowExecutionTimeout: scenario.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
      if (scenario.earlyQuery) observation.earlyQuery = await queryWhileValidating(handle);
      const hasChildren = LESSONS[lesson].children.length > 0;
      const stuck = watchRun([parentWorkflowId], scenario, hasChildren);
      const watch = scenario.watchStatus ? watchStatus(handle, lesson, order.orderId) : undefined;
      try {
        const first = await Promise.race([handle.result().then((result) => ({ done: result })), stuck.found]);
        if ('done' in first) {
          observation.outcome = { kind: 'completed', result: first.done };
        } else {
          observation.outcome = first;
          await handle.terminate(`stopped by the grader: ${first.message.split('\n')[0]}`).catch(() => undefined);
        }
      } catch (err) {
        if (err instanceof WorkflowFailedError) {
          const cause = err.cause;
          if (cause?.name === 'TimeoutFailure' || /timed out/i.test(err.message)) {
            observation.outcome = {
              kind: 'timeout',
              message: `the order did not finish within ${(scenario.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s`,
            };
          } else if (cause?.name === 'CancelledFailure') {
            observation.outcome = { kind: 'cancelled', message: cause.message };
          } else {
            let deepest: Error = err;
            while (deepest.cause instanceof Error) deepest = deepest.cause;
            const message = cause?.message ?? err.message;
            observation.outcome = {
              kind: 'failed',
              message,
              ...(deepest.message !== message ? { root: deepest.message } : {}),
              type: cause instanceof ApplicationFailure ? (cause.type ?? undefined) : cause?.name,
              details: cause instanceof ApplicationFailure ? cause.details?.[0] : undefined,
            };
          }
        } else {
          observation.outcome = { kind: 'error', message: errorMessage(err) };
        }
      }
      stuck.stop();
      if (watch) observation.statusSamples = await watch.stop(observation.outcome.kind !== 'stuck');
      observation.history = await handle.fetchHistory();
      if (!hasChildren) return; // lesson 02 has no children and no queries
      // Queries need a running worker, so they happen here, before it stops.
      const childIds = Object.fromEntries(
        CHILD_KINDS.map((kind) => [kind, childWorkflowIdOf(lesson, kind, order.orderId)]),
      ) as Record<Kind, string>;
      if (scenario.childHistories) {
        // Without a run ID: the latest run, which is the one a retried child workflow ended with.
        const histories = await Promise.all(
          CHILD_KINDS.map(
            (kind) =>
              client.workflow
                .getHandle(childIds[kind])
                .fetchHistory()
                .then((history): [Kind, typeof history] => [kind, history])
                .catch(() => undefined), // a child that never started has no history
          ),
        );
        observation.childHistories = Object.fromEntries(histories.filter((h) => h !== undefined));
      }
      if (!scenario.inspect) return;
      // A workflow whose task keeps failing cannot answer: its query would wait for the server's query
      // timeout (30 s). Terminating the parent ends such a child only a moment later, so it is not asked.
      const stuckId = observation.outcome.kind === 'stuck' ? observation.outcome.workflowId : undefined;
      const ask = (workflowId: string) =>
        workflowId === stuckId
          ? { queryError: 'not asked: its workflow task keeps failing' }
          : settle(client.workflow.getHandle(workflowId).query('status'));
      observation.queries = {
        parent: await ask(parentWorkflowId),
        children: Object.fromEntries(
          await Promise.all(CHILD_KINDS.map(async (kind) => [kind, await ask(childIds[kind])])),
        ),
      };
      observation.children = Object.fromEntries(
        await Promise.all(
          CHILD_KINDS.map(async (kind): Promise<[Kind, ChildView]> => {
            try {
              const d = await client.workflow.getHandle(childIds[kind]).describe();
              return [
                kind,
                {
                  workflowId: childIds[kind],
                  type: d.type,
                  status: d.status.name,
                  parentWorkflowId: d.parentExecution?.workflowId ?? undefined,
                },
              ];
            } catch {
              return [kind, { workflowId: childIds[kind] }];
            }
          }),
        ),
      ) as Record<Kind, ChildView>;
      const expected = Object.values(observation.children).filter((c) => c.type).length;
      observation.listedChildren = await listChildren(parentWorkflowId, expected);
    })();
  } finally {
    observation.attemptsRun = release();
  }
  observation.audit = services.ledger.audit();
  observation.calls = services.ledger.calls();
  return observation;
}

/**
 * One worker for many scenarios of one lesson copy: it polls one task queue and hands each activity
 * call to the services of the order it belongs to (every workflow ID of a run ends with its order ID).
 * Starting one worker instead of one per scenario saves loading the workflow bundle again each time.
 */
export interface Rig {
  taskQueue: string;
  /**
   * Serves the activities of `orderId`'s workflows from `services`. Call the result when done: it
   * returns the attempts of each activity the worker ran for the order.
   */
  serve(orderId: string, services: Services): () => AttemptsRun;
}

type ActivityFn = (...args: unknown[]) => Promise<unknown>;

function lessonActivities(lessonDir: string): (services: Services) => Record<string, ActivityFn> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path.join(lessonDir, 'activities')) as {
    createActivities: (s: Services) => Record<string, ActivityFn>;
  };
  return loaded.createActivities;
}

/** Does this scenario run workflows (and so need a worker)? */
export function needsWorker(target: Target, scenario: Scenario): boolean {
  return target.kind === 'temporal' && scenario.mode !== 'activities' && !scenario.observe;
}

/** Runs `body` while one worker serves `target`'s workflows; the worker stops afterwards. */
export async function withRig<T>(target: Target, body: (rig: Rig) => Promise<T>): Promise<T> {
  if (target.kind !== 'temporal') throw new Error(`${target.name} runs no workflows`);
  const createActivities = lessonActivities(target.lessonDir);
  const probe = freshServices();
  let names: string[];
  try {
    names = Object.keys(createActivities(probe));
  } finally {
    probe.close();
  }
  const routes = new Map<string, Record<string, ActivityFn>>();
  const delivered = new DeliveryLog();
  const activities = Object.fromEntries(
    names.map((name) => [
      name,
      async (...args: unknown[]) => {
        const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
        for (const [orderId, served] of routes) {
          if (!workflowId.endsWith(orderId)) continue;
          delivered.record(orderId, name);
          return served[name](...args);
        }
        throw ApplicationFailure.nonRetryable(`no grading run serves ${workflowId}`, 'NotGraded');
      },
    ]),
  );
  const env = testEnv();
  const taskQueue = uniqueTaskQueue(`grade-${target.name}`);
  const workflowBundle = await lessonBundle(target.lessonDir, REPO_ROOT);
  const worker = await traced(
    'worker',
    Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle,
      activities,
      interceptors: { activity: [attemptInterceptor] },
    }),
  );
  const rig: Rig = {
    taskQueue,
    serve: (orderId, services) => {
      routes.set(orderId, createActivities(services));
      return () => {
        routes.delete(orderId);
        return delivered.attemptsRun(orderId);
      };
    },
  };
  return worker.runUntil(body(rig));
}

/**
 * Runs `scenario` once against `target` on a fresh ledger. Scenarios that run workflows use `rig`'s
 * worker when given one, else a worker of their own.
 */
export async function observe(target: Target, scenario: Scenario, rig?: Rig): Promise<Observation> {
  if (scenario.observe && target.kind === 'temporal') return scenario.observe(target, scenario);
  if (!rig && needsWorker(target, scenario)) return withRig(target, (own) => observe(target, scenario, own));
  const services = freshServices(
    FaultPlan.parse(scenario.faults, 1),
    undefined,
    LatencyPlan.parse(scenario.latency ?? ''),
  );
  const order = orderFor(scenario);
  try {
    if (target.kind === 'temporal' && scenario.mode === 'children') {
      return await observeChildrenAlone(target, scenario, services, order, rig!);
    }
    if (target.kind === 'temporal' && scenario.mode === 'activities') {
      return await observeActivitiesAlone(target, scenario, services, order);
    }
    const observation =
      target.kind === 'original'
        ? await observeOriginal(target, scenario, services, order)
        : await observeTemporal(target, scenario, services, order, rig!);
    return { ...observation, ...(await settledLedger(services)) };
  } finally {
    services.close();
  }
}
