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
 *
 * The pieces live apart: what an observation is (./observation.ts), watching a run while it goes
 * (./watch.ts), the worker that serves many scenarios (./rig.ts), and Part A's runs of one child or
 * one activity on its own (./observe-alone.ts).
 */
import { randomUUID } from 'node:crypto';
import { childWorkflowIdOf, LESSONS, type ChildKind } from '../../common/lessons';
import { originalOf } from '../../common/kit/lesson-code';
import { testEnv } from '../../common/kit/server';
import { until } from '../../common/kit/wait';
import { FaultPlan, LatencyPlan, sampleOrder, type Order, type Services } from '../../services';
import { freshServices } from '../support/harness';
import {
  DEFAULT_TIMEOUT_MS,
  failureOutcome,
  type ChildView,
  type Observation,
  observationOf,
  type Scenario,
  type Target,
} from './observation';
import { observeActivitiesAlone, observeChildrenAlone } from './observe-alone';
import { needsWorker, withRig, type Rig, type RigRun } from './rig';
import { listChildren, queryWhileValidating, settle, watchRun, watchStatus } from './watch';

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
    ...observationOf(target, scenario, order),
    outcome:
      result.status === 'completed'
        ? { kind: 'completed', result }
        : { kind: 'failed', message: result.error ?? 'failed' },
    audit: services.ledger.audit(),
    calls: services.ledger.calls(),
  };
}

/**
 * The ledger once every call has ended. A call still in flight when the order ended (a sibling the
 * code stopped waiting for) can land afterwards; the audit must see it.
 */
async function settledLedger(services: Services): Promise<Pick<Observation, 'audit' | 'calls'>> {
  await until(() => !services.ledger.calls().some((c) => c.outcome === 'started'), { timeoutMs: 10_000, everyMs: 50 });
  return { audit: services.ledger.audit(), calls: services.ledger.calls() };
}

async function observeTemporal({ target, scenario, services, order, rig }: RigRun): Promise<Observation> {
  const env = testEnv();
  const client = env.client;
  const taskQueue = rig.taskQueue;
  const lesson = target.lesson;
  const observation: Observation = {
    ...observationOf(target, scenario, order),
    outcome: { kind: 'error', message: 'not run' },
    audit: services.ledger.audit(),
    calls: [],
  };
  const { parentWorkflowId } = observation;
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
      const kinds = LESSONS[lesson].children;
      const hasChildren = kinds.length > 0;
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
        const limit = (scenario.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000;
        observation.outcome = failureOutcome(err, `the order did not finish within ${limit} s`);
      }
      stuck.stop();
      if (watch) observation.statusSamples = await watch.stop(observation.outcome.kind !== 'stuck');
      observation.history = await handle.fetchHistory();
      if (!hasChildren) return; // lesson 02 has no children and no queries
      // Queries need a running worker, so they happen here, before it stops.
      const childIds = Object.fromEntries(
        kinds.map((kind) => [kind, childWorkflowIdOf(lesson, kind, order.orderId)]),
      ) as Record<ChildKind, string>;
      if (scenario.childHistories) {
        // Without a run ID: the latest run, which is the one a retried child workflow ended with.
        const histories = await Promise.all(
          kinds.map(
            (kind) =>
              client.workflow
                .getHandle(childIds[kind])
                .fetchHistory()
                .then((history): [ChildKind, typeof history] => [kind, history])
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
        children: Object.fromEntries(await Promise.all(kinds.map(async (kind) => [kind, await ask(childIds[kind])]))),
      };
      observation.children = Object.fromEntries(
        await Promise.all(
          kinds.map(async (kind): Promise<[ChildKind, ChildView]> => {
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
      ) as Record<ChildKind, ChildView>;
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
      return await observeChildrenAlone({ target, scenario, services, order, rig: rig! });
    }
    if (target.kind === 'temporal' && scenario.mode === 'activities') {
      return await observeActivitiesAlone({ target, scenario, services, order });
    }
    const observation =
      target.kind === 'original'
        ? await observeOriginal(target, scenario, services, order)
        : await observeTemporal({ target, scenario, services, order, rig: rig! });
    return { ...observation, ...(await settledLedger(services)) };
  } finally {
    services.close();
  }
}
