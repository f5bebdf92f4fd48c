/**
 * Runs one scenario (an order plus a fault plan) against a target and records everything the
 * criteria need: the outcome, the ledger, the parent's event history, what visibility says about
 * each child, and each workflow's answer to the `status` query.
 *
 * Every target belongs to a lesson (default 06). Lesson 06 starts `orderFulfillmentWorkflow` as
 * `order-<orderId>` and also records its children and `status` queries; lesson 02 starts
 * `orderProcessingWorkflow` as `order-processing-<orderId>`, which has neither.
 *
 * Targets:
 *   - a Temporal implementation (solution/, exercises/, or a copy of either) run by a worker on the
 *     test server with a fresh ledger and a unique task queue;
 *   - the original monolith, run with the same order, fault plan and a fresh ledger.
 */
import type { temporal } from '@temporalio/proto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { OrderProcessor } from '../../original/02-order-processing/order-processor';
import { fulfilOrder } from '../../original/06-order-fulfillment/fulfil-order';
import { Audit, CallRow, FaultPlan, Order, sampleOrder, Services } from '../../services';
import { freshServices, uniqueTaskQueue, withWorker } from '../support/harness';
import { testEnv } from '../support/server';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const CHILD_KINDS = ['payment', 'inventory', 'shipping', 'notification'] as const;
export type Kind = (typeof CHILD_KINDS)[number];

export type LessonId = '02' | '06';

export type Target =
  | { kind: 'temporal'; name: string; /** e.g. <repo>/solution/06-order-fulfillment */ lessonDir: string; lesson?: LessonId }
  | { kind: 'original'; name: 'original'; lesson?: LessonId };

/** What a lesson's workflow is called and how its ID is made. */
export const LESSON_WORKFLOWS: Record<LessonId, { type: string; workflowId: (orderId: string) => string }> = {
  '06': { type: 'orderFulfillmentWorkflow', workflowId: (orderId) => `order-${orderId}` },
  '02': { type: 'orderProcessingWorkflow', workflowId: (orderId) => `order-processing-${orderId}` },
};

/** The lesson a lesson directory name belongs to: `02-order-processing` → `02`. */
export function lessonOf(dirName: string): LessonId {
  const id = path.basename(dirName).slice(0, 2);
  if (id !== '02' && id !== '06') throw new Error(`${dirName} is not a lesson directory (expected 02-… or 06-…)`);
  return id;
}

export function lessonTarget(name: 'solution' | 'exercises', lesson = '06-order-fulfillment'): Target {
  return { kind: 'temporal', name, lessonDir: path.join(REPO_ROOT, name, lesson), lesson: lessonOf(lesson) };
}
export const ORIGINAL: Target = { kind: 'original', name: 'original' };
/** Lesson 02's original: the order processor with naive retry loops. */
export const ORIGINAL_02: Target = { kind: 'original', name: 'original', lesson: '02' };

/** The solution's slowest scenario takes about 5 s; a run still going after this is broken. */
export const DEFAULT_TIMEOUT_MS = 20_000;

export interface Scenario {
  id: string;
  faults: string;
  /** Changes to the sample order (e.g. a declined card token). */
  order?: Partial<Order>;
  /** How long the order may take before the run is stopped and explained (ms). */
  timeoutMs?: number;
}

export type Outcome =
  | { kind: 'completed'; result?: any }
  | { kind: 'failed'; message: string; type?: string; details?: any; /** The deepest message of the `.cause` chain, when it differs. */ root?: string }
  | { kind: 'cancelled'; message: string }
  | { kind: 'timeout'; message: string }
  /** A workflow task kept failing (a bug in workflow code): the run was stopped early. */
  | { kind: 'stuck'; message: string; workflowId: string; nondeterminism: boolean }
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
  /** Workflows whose parent is the order's parent, as the visibility list reports them. */
  listedChildren?: ChildView[];
  children?: Record<Kind, ChildView>;
  queries?: { parent: unknown; children: Record<Kind, unknown> };
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

async function observeOriginal(target: Target, scenario: Scenario, services: Services, order: Order): Promise<Observation> {
  const lesson = target.lesson ?? '06';
  const logger = { warn: () => undefined };
  const result =
    lesson === '02'
      ? await new OrderProcessor(services, { logger }).processOrder(order)
      : await fulfilOrder(order, services, logger);
  return {
    target: target.name,
    scenario: scenario.id,
    order,
    parentWorkflowId: LESSON_WORKFLOWS[lesson].workflowId(order.orderId),
    outcome: result.status === 'completed' ? { kind: 'completed', result } : { kind: 'failed', message: result.error ?? 'failed' },
    audit: services.ledger.audit(),
    calls: services.ledger.calls(),
  };
}

/**
 * Watches the parent's and the children's histories for failed workflow tasks. Temporal retries a
 * failed workflow task forever (a plain Error, a nondeterministic change), so waiting for the result
 * would only end at the timeout; this reports the first such failure instead.
 */
function watchForFailingTasks(ids: string[]) {
  const client = testEnv().client;
  let stopped = false;
  const found = (async (): Promise<Extract<Outcome, { kind: 'stuck' }>> => {
    while (!stopped) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (const workflowId of ids) {
        if (stopped) break;
        let history;
        try {
          history = await client.workflow.getHandle(workflowId).fetchHistory();
        } catch {
          continue; // not started (yet)
        }
        const failures = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
        // The worker reports only the first failure of a workflow task (later attempts just time out),
        // so one recorded failure is enough: a worker restart does not produce this event.
        if (failures.length >= 1) {
          const attrs = failures[failures.length - 1].workflowTaskFailedEventAttributes!;
          const message = attrs.failure?.message ?? 'workflow task failed';
          const nondeterminism = /nondetermin/i.test(message) || String(attrs.cause ?? '').includes('NON_DETERMINISTIC');
          return { kind: 'stuck', message, workflowId, nondeterminism };
        }
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
      views.push({ workflowId: info.workflowId, type: info.type, status: info.status.name, parentWorkflowId: info.parentExecution?.workflowId ?? undefined });
    }
    if (views.length >= expected) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return views;
}

async function observeTemporal(
  target: Extract<Target, { kind: 'temporal' }>,
  scenario: Scenario,
  services: Services,
  order: Order,
): Promise<Observation> {
  const env = testEnv();
  const client = env.client;
  const taskQueue = uniqueTaskQueue(`${target.name}-${scenario.id}`);
  const lesson = target.lesson ?? '06';
  const parentWorkflowId = LESSON_WORKFLOWS[lesson].workflowId(order.orderId);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createActivities } = require(path.join(target.lessonDir, 'activities')) as {
    createActivities: (s: Services) => object;
  };
  const observation: Observation = {
    target: target.name,
    scenario: scenario.id,
    order,
    parentWorkflowId,
    outcome: { kind: 'error', message: 'not run' },
    audit: services.ledger.audit(),
    calls: [],
  };
  await withWorker(
    { taskQueue, workflowsPath: path.join(target.lessonDir, 'workflows'), activities: createActivities(services) },
    async () => {
      const handle = await client.workflow.start(LESSON_WORKFLOWS[lesson].type, {
        taskQueue,
        workflowId: parentWorkflowId,
        args: [order],
        // A bound on the whole order: a broken implementation ends as a timeout, never a hang.
        workflowExecutionTimeout: scenario.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      });
      const stuck = watchForFailingTasks(
        lesson === '06' ? [parentWorkflowId, ...CHILD_KINDS.map((kind) => `${kind}-${order.orderId}`)] : [parentWorkflowId],
      );
      try {
        const first = await Promise.race([handle.result().then((result) => ({ done: result })), stuck.found]);
        if ('done' in first) {
          observation.outcome = { kind: 'completed', result: first.done };
        } else {
          observation.outcome = first;
          await handle.terminate('stopped by the grader: a workflow task keeps failing').catch(() => undefined);
        }
      } catch (err) {
        if (err instanceof WorkflowFailedError) {
          const cause = err.cause;
          if (cause?.name === 'TimeoutFailure' || /timed out/i.test(err.message)) {
            observation.outcome = { kind: 'timeout', message: `the order did not finish within ${(scenario.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000} s` };
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
      observation.history = await handle.fetchHistory();
      if (lesson !== '06') return; // lesson 02 has no children and no queries
      // Queries need a running worker, so they happen here, before it stops.
      const childIds = Object.fromEntries(CHILD_KINDS.map((kind) => [kind, `${kind}-${order.orderId}`])) as Record<Kind, string>;
      observation.queries = {
        parent: await settle(handle.query('status')),
        children: Object.fromEntries(
          await Promise.all(CHILD_KINDS.map(async (kind) => [kind, await settle(client.workflow.getHandle(childIds[kind]).query('status'))])),
        ),
      };
      observation.children = Object.fromEntries(
        await Promise.all(
          CHILD_KINDS.map(async (kind): Promise<[Kind, ChildView]> => {
            try {
              const d = await client.workflow.getHandle(childIds[kind]).describe();
              return [kind, { workflowId: childIds[kind], type: d.type, status: d.status.name, parentWorkflowId: d.parentExecution?.workflowId ?? undefined }];
            } catch {
              return [kind, { workflowId: childIds[kind] }];
            }
          }),
        ),
      ) as Record<Kind, ChildView>;
      const expected = Object.values(observation.children).filter((c) => c.type).length;
      observation.listedChildren = await listChildren(parentWorkflowId, expected);
    },
  );
  observation.audit = services.ledger.audit();
  observation.calls = services.ledger.calls();
  return observation;
}

/** Runs `scenario` once against `target` on a fresh ledger. */
export async function observe(target: Target, scenario: Scenario): Promise<Observation> {
  const services = freshServices(FaultPlan.parse(scenario.faults, 1));
  const order = orderFor(scenario);
  try {
    return target.kind === 'original'
      ? await observeOriginal(target, scenario, services, order)
      : await observeTemporal(target, scenario, services, order);
  } finally {
    services.close();
  }
}
