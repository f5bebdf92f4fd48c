/**
 * Lesson 08's criteria as checks over observations: a change deployed while an order is in flight.
 * Registered in ./checks.ts with the other lessons'; the titles, Parts and hints live in the lesson
 * manifest (common/lessons.ts). The runs themselves are in ./versioning-08.ts (the deploy) and
 * ./replays-08.ts (the learner's replay test, builds v3 and v4); each scenario here reads one of them.
 */
import type { temporal } from '@temporalio/proto';
import { sampleOrder } from '../../services';
import { freshServices } from '../support/harness';
import { fail, ok, type Check } from './criterion';
import { observationOf, type Observation, type Outcome, type Scenario, type TemporalTarget } from './observation';
import {
  queryOf,
  replayTestOf,
  retiredBuildsOf,
  type BuildCheck,
  type ReplayTestRun,
  type ReplayVerdict,
} from './replays-08';
import { deployRunOf, PATCH_ID, type DeployRun, type OrderRun } from './versioning-08';

/** An observation of lesson 08: `order` and `outcome` are the order the criterion is about. */
function observation(
  target: TemporalTarget,
  scenario: Scenario,
  fields: Pick<Observation, 'outcome' | 'audit'> & Partial<Observation>,
): Observation {
  const order = fields.order ?? sampleOrder('ORDER-08');
  return { ...observationOf(target, scenario, order), calls: [], ...fields };
}

/** Part B: the deploy, seen from the order in flight or from the order started after it. */
async function observeDeploy(target: TemporalTarget, scenario: Scenario, which: 'inFlight' | 'fresh') {
  const run = await deployRunOf(target.lessonDir);
  const order = run[which];
  return observation(target, scenario, {
    order: sampleOrder(order.orderId),
    outcome: order.outcome,
    ...(order.history ? { history: order.history } : {}),
    audit: run.audit,
    calls: run.calls,
    lessonData: run,
  });
}

/** Part A: the learner's replay functions, on the deploy's first order and the recorded histories. */
async function observeReplayTest(target: TemporalTarget, scenario: Scenario) {
  const run = await deployRunOf(target.lessonDir);
  const test = await replayTestOf(target.lessonDir, run);
  const outcome: Outcome = !test.problem
    ? { kind: 'completed' }
    : /TODO Part [A-Z]/.test(test.problem)
      ? { kind: 'failed', message: test.problem, root: test.problem }
      : { kind: 'error', message: test.problem };
  return observation(target, scenario, { outcome, audit: run.audit, lessonData: { run, test } });
}

/** Part C: builds v3 and v4, read and replayed against the recorded histories. */
async function observeRetired(target: TemporalTarget, scenario: Scenario) {
  const builds = await retiredBuildsOf(target.lessonDir);
  const todo = builds.find((b) => b.todo)?.todo;
  const services = freshServices();
  const audit = services.ledger.audit();
  services.close();
  return observation(target, scenario, {
    outcome: todo ? { kind: 'failed', message: todo, root: todo } : { kind: 'completed' },
    audit,
    lessonData: builds,
  });
}

export const SCENARIOS_08 = {
  deploy: { id: '08-deploy', faults: 'none', observe: (t, s) => observeDeploy(t, s, 'inFlight') },
  newOrder: { id: '08-deploy-new-order', faults: 'none', observe: (t, s) => observeDeploy(t, s, 'fresh') },
  replayTest: { id: '08-replay-test', faults: 'none', observe: observeReplayTest },
  retired: { id: '08-retired', faults: 'none', observe: observeRetired },
} satisfies Record<string, Scenario>;

type History = temporal.api.history.v1.IHistory;

/** The activity types a history schedules, in order. */
function activityTypes(history: History | undefined): string[] {
  return (history?.events ?? [])
    .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => typeof name === 'string');
}

/** The patch markers a history records: `{ id: 'fraud-check', deprecated: false }`. */
export function patchMarkers(history: History | undefined): { id: string; deprecated: boolean }[] {
  const markers: { id: string; deprecated: boolean }[] = [];
  for (const event of history?.events ?? []) {
    const attrs = event.markerRecordedEventAttributes;
    if (attrs?.markerName !== 'core_patch') continue;
    const data = attrs.details?.['patch-data']?.payloads?.[0]?.data;
    try {
      markers.push(JSON.parse(Buffer.from(data ?? []).toString('utf8')));
    } catch {
      markers.push({ id: '(unreadable)', deprecated: false });
    }
  }
  return markers;
}

/** How an order that did not complete ended, in words. */
function ended(run: OrderRun): string {
  const o = run.outcome;
  switch (o.kind) {
    case 'completed':
      return 'completed';
    case 'stuck':
      return o.nondeterminism
        ? `stopped with a non-determinism error (${o.message.split('\n')[0]})`
        : `stopped: its workflow task keeps failing (${o.message.split('\n')[0]})`;
    default:
      return `ended as ${o.kind}: ${'message' in o ? o.message.split('\n')[0] : ''}`;
  }
}

const OLD_PATH = ['validateOrder', 'chargePayment', 'reserveInventory', 'arrangeShipment'];
const NEW_PATH = ['validateOrder', 'checkFraud', 'reserveInventory', 'chargePayment', 'arrangeShipment'];
const arrow = (types: string[]) => types.join(' → ') || 'no activities';

function fraudCalls(run: DeployRun, order: OrderRun): number {
  return run.calls.filter((c) => c.step === 'fraud' && c.orderId === order.orderId).length;
}

/** One history's verdicts from the learner's replayHistories, checked against what they must say. */
function verdictProblems(
  verdicts: ReplayVerdict[] | { error: string } | undefined,
  replayed: string[],
  against: string,
  mustFail: boolean,
): string[] {
  if (!verdicts) return [`replayHistories was not run against ${against}`];
  if ('error' in verdicts) return [`replayHistories failed against ${against}: ${verdicts.error}`];
  const problems: string[] = [];
  for (const id of replayed) {
    const verdict = verdicts.find((v) => v?.workflowId === id);
    if (!verdict) problems.push(`replayHistories returned no verdict for ${id} against ${against}`);
    else if (mustFail && verdict.ok)
      problems.push(
        `replayHistories says ${id} replays against ${against}; it fails there with a non-determinism error`,
      );
    else if (mustFail && !verdict.nondeterminism)
      problems.push(`replayHistories says ${id} fails against ${against}, but not as a non-determinism error`);
    else if (!mustFail && !verdict.ok)
      problems.push(
        `replayHistories says ${id} fails against ${against} (${verdict.error ?? 'no reason'}); it replays there`,
      );
  }
  return problems;
}

export const CHECKS_08 = {
  '08-replay-test': {
    scenario: SCENARIOS_08.replayTest,
    check: (obs) => {
      const { run, test } = obs.lessonData as { run: DeployRun; test: ReplayTestRun };
      if (test.problem) return fail(test.problem);
      const expected = [run.onV1, run.inFlight, run.fresh].map((o) => o.workflowId);
      const missing = expected.filter((id) => !test.listed.includes(id));
      if (missing.length) {
        return fail(
          `serverHistories(client, "${queryOf(run)}") returned ${test.listed.length} history(ies)` +
            `${test.listed.length ? ` (${test.listed.join(', ')})` : ''}; missing ${missing.join(', ')}: ` +
            'every workflow the query finds',
        );
      }
      const problems = [
        ...verdictProblems(test.unpatched, test.replayed, 'v2 with its patched() guards replaced by true', true),
        ...verdictProblems(test.patched, test.replayed, 'the patched v2', false),
      ];
      if (problems.length) return fail(problems.join('; '));
      return ok(
        `${test.replayed.length} histories (${test.replayed.join(', ')}): each fails against v2 without its patch ` +
          'with a non-determinism error, and replays against the patched v2',
      );
    },
  },
  '08-old-orders-finish': {
    scenario: SCENARIOS_08.deploy,
    check: (obs) => {
      const run = obs.lessonData as DeployRun;
      if (run.onV1.outcome.kind !== 'completed')
        return fail(`${run.onV1.workflowId} ran on build v1 and ${ended(run.onV1)}; the grader's v1 run went wrong`);
      const held = run.inFlight;
      if (held.outcome.kind !== 'completed') {
        return fail(
          `${held.workflowId}, started on v1 and in flight (shipping) during the deploy, ${ended(held)} on your v2` +
            (held.outcome.kind === 'stuck' && held.outcome.nondeterminism
              ? `: v2 replays its v1 history and makes other calls than it records. Put the change behind patched('${PATCH_ID}')`
              : ''),
        );
      }
      const types = activityTypes(held.history);
      if (types.join() !== OLD_PATH.join() || fraudCalls(run, held) > 0) {
        return fail(
          `${held.workflowId}, started on v1, completed on v2 as ${arrow(types)}; an order started on v1 keeps its path: ${arrow(OLD_PATH)}`,
        );
      }
      return ok(`${held.workflowId}, started on v1, completed on v2 on its old path: ${arrow(types)}`);
    },
  },
  '08-new-orders-fraud-check': {
    scenario: SCENARIOS_08.newOrder,
    check: (obs) => {
      const run = obs.lessonData as DeployRun;
      const fresh = run.fresh;
      if (fresh.outcome.kind !== 'completed')
        return fail(`${fresh.workflowId}, started on v2 after the deploy, ${ended(fresh)}`);
      const types = activityTypes(fresh.history);
      if (types.join() !== NEW_PATH.join())
        return fail(`${fresh.workflowId}, started after the deploy, ran ${arrow(types)}; expected ${arrow(NEW_PATH)}`);
      const marker = patchMarkers(fresh.history).find((m) => m.id === PATCH_ID);
      if (!marker) {
        return fail(
          `${fresh.workflowId} ran the new flow, but its history records no '${PATCH_ID}' patch marker: ` +
            `the change is not behind patched('${PATCH_ID}'), so an order started on v1 cannot keep its old path`,
        );
      }
      if (fraudCalls(run, fresh) !== 1)
        return fail(
          `the fraud screen was called ${fraudCalls(run, fresh)} time(s) for ${fresh.workflowId}; expected once`,
        );
      return ok(`${fresh.workflowId}: ${arrow(types)}, with the '${PATCH_ID}' marker`);
    },
  },
  '08-patch-retired': {
    scenario: SCENARIOS_08.retired,
    check: (obs) => {
      const builds = obs.lessonData as BuildCheck[];
      const problems: string[] = [];
      for (const b of builds) {
        if (b.todo) {
          problems.push(b.todo);
          continue;
        }
        if (b.source) problems.push(b.source);
        if (b.error) problems.push(`${b.build} could not be replayed: ${b.error}`);
        for (const r of b.replays.filter((x) => !x.ok)) {
          const why = `${r.nondeterminism ? 'a non-determinism error, ' : ''}${r.error ?? 'no reason'}`;
          problems.push(`${b.build} does not replay ${r.file}: ${why}`);
        }
      }
      if (problems.length) return fail(problems.join('; '));
      return ok(builds.map((b) => `${b.build} replays ${b.replays.map((r) => r.file).join(', ')}`).join('; '));
    },
  },
} satisfies Record<string, Check>;
