/**
 * Lesson 08's builds and its deploy, on the test server.
 *
 * The deploy (Part B): build v1 (the solution's workflows/v1.ts, the code "in production") runs two
 * orders, one to its end and one held in its shipping step: the grader's shipping activity waits at a
 * gate, so that order is in flight. Then the v1 worker stops and the lesson's v2 starts (the deploy), the
 * held shipment is let through, and the held order's next workflow task replays its v1 history against
 * v2. A third order starts on v2. Workflows and activities run on separate workers, so the deploy swaps
 * only the workflow code and the held call is never interrupted; the v1 worker keeps no workflow in its
 * cache (no sticky queue), so the held order's next task goes to v2 at once.
 *
 * One deploy per content of the lesson: the scenarios that read it share it. The replays (the lesson's
 * replay test, Part A, and its retired builds, Part C) are in ./replays-08.ts.
 */
import type { temporal } from '@temporalio/proto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { HistoryAndWorkflowId } from '@temporalio/common';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LESSONS, orderWorkflowId } from '../../common/lessons';
import { attemptInterceptor } from '../../common/worker';
import { workflowTaskTrouble } from '../../common/workflow-trouble';
import { REPO_ROOT, sampleOrder, type Audit, type CallRow, type Order, type Services } from '../../services';
import { freshServices, uniqueTaskQueue } from '../support/harness';
import { testEnv } from '../../common/kit/server';
import { workflowsBundle } from './bundle';
import { hashFiles } from './cache';
import { failureOutcome, type Outcome } from './observation';

type History = temporal.api.history.v1.IHistory;

const LESSON = LESSONS['08'];
export const SOLUTION_08 = path.join(REPO_ROOT, 'solution', LESSON.folder);
const HISTORIES_DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'histories');
/** The patch lesson 08's v2 puts the change behind. */
export const PATCH_ID = 'fraud-check';
/** How long one order may take before the grader stops it (the solution's take well under a second). */
const ORDER_TIMEOUT_MS = 12_000;

/** The workflows file of `build` (v1 … v4) in a copy of lesson 08. */
export function buildFile(lessonDir: string, build: string): string {
  return path.join(lessonDir, 'workflows', `${build}.ts`);
}

/** `text` with every `patched('…')` call replaced by `true`: the change, deployed as if no patch were there. */
export function unpatched(text: string): string {
  return text.replace(/\bpatched\(\s*(['"`])[^'"`]*\1\s*\)/g, 'true');
}

/**
 * The solution with its patched() guards replaced by `true`, under `.grade/unpatched-08` (the same
 * depth as solution/08-versioning, so its imports resolve). Files are written only when they differ.
 */
export function unpatchedSolution(root = REPO_ROOT): string {
  const dir = path.join(root, '.grade', 'unpatched-08');
  const copy = (from: string, to: string) => {
    for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
      const source = path.join(from, entry.name);
      const target = path.join(to, entry.name);
      if (entry.isDirectory()) {
        copy(source, target);
        continue;
      }
      let text = fs.readFileSync(source, 'utf8');
      if (path.relative(SOLUTION_08, source) === path.join('workflows', 'v2.ts')) text = unpatched(text);
      const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
      if (current !== text) {
        fs.mkdirSync(to, { recursive: true });
        fs.writeFileSync(target, text);
      }
    }
  };
  copy(SOLUTION_08, dir);
  return dir;
}

/** The recorded histories whose file starts with `prefix` (`08-v1-`), named by file, as the replayer takes them. */
export function recordedHistories(prefix: string): HistoryAndWorkflowId[] {
  return fs
    .readdirSync(HISTORIES_DIR)
    .filter((file) => file.startsWith(prefix) && file.endsWith('.json'))
    .sort()
    .map((file) => ({
      workflowId: file,
      history: JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
    }));
}

// ---- one order, watched ------------------------------------------------------------------------

export interface OrderRun {
  orderId: string;
  workflowId: string;
  outcome: Outcome;
  history?: History;
}

/** How a failed order reads: its failure, or the timeout it ran into. */
function failed(err: unknown): Outcome {
  return failureOutcome(err, `the order did not finish within ${ORDER_TIMEOUT_MS / 1000} s`);
}

/**
 * How a started order ends: its result, its failure, or a workflow task that keeps failing (a
 * non-determinism error after the deploy), which would never end on its own: that order is stopped.
 */
async function outcomeOf(client: Client, handle: WorkflowHandle): Promise<Outcome> {
  let settled = false;
  const result = handle.result().then(
    (value): Outcome => ({ kind: 'completed', result: value }),
    (err: unknown) => failed(err),
  );
  void result.finally(() => (settled = true));
  const watch = (async (): Promise<Outcome> => {
    const deadline = Date.now() + ORDER_TIMEOUT_MS;
    while (!settled && Date.now() < deadline) {
      await sleep(200);
      if (settled) break;
      const trouble = await workflowTaskTrouble(client, handle.workflowId).catch(() => undefined);
      if (trouble) return { kind: 'stuck', ...trouble };
    }
    return settled
      ? result
      : { kind: 'timeout', message: `the order did not finish within ${ORDER_TIMEOUT_MS / 1000} s` };
  })();
  const outcome = await Promise.race([result, watch]);
  settled = true;
  if (outcome.kind === 'stuck' || outcome.kind === 'timeout') {
    await handle.terminate(`stopped by the grader: ${outcome.message.split('\n')[0]}`).catch(() => undefined);
  }
  return outcome;
}

// ---- the deploy ----------------------------------------------------------------------------------

export interface DeployRun {
  taskQueue: string;
  /** Started on v1 and finished there. */
  onV1: OrderRun;
  /** Started on v1, in flight (its shipment held) during the deploy, finished on the lesson's v2. */
  inFlight: OrderRun;
  /** Started on the lesson's v2 after the deploy. */
  fresh: OrderRun;
  audit: Audit;
  calls: CallRow[];
}

type ActivityFn = (input: any) => Promise<unknown>;

function activitiesOf(lessonDir: string, services: Services): Record<string, ActivityFn> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path.join(lessonDir, 'activities')) as {
    createActivities: (s: Services) => Record<string, ActivityFn>;
  };
  return loaded.createActivities(services);
}

/** v1 runs two orders (one held in its shipping step), then the lesson's v2 is deployed and starts a third. */
async function deploy(lessonDir: string): Promise<DeployRun> {
  const env = testEnv();
  const { client } = env;
  const taskQueue = uniqueTaskQueue('grade-08');
  const tag = randomUUID().slice(0, 8);
  const orders = {
    onV1: sampleOrder(`ORDER-v1-${tag}`),
    inFlight: sampleOrder(`ORDER-held-${tag}`),
    fresh: sampleOrder(`ORDER-new-${tag}`),
  };
  const services = freshServices();
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  try {
    const [v1Bundle, v2Bundle]: WorkflowBundleWithSourceMap[] = await Promise.all([
      workflowsBundle(buildFile(SOLUTION_08, 'v1'), REPO_ROOT),
      workflowsBundle(buildFile(lessonDir, 'v2'), REPO_ROOT),
    ]);
    const activities = activitiesOf(lessonDir, services);
    const ship = activities.arrangeShipment;
    activities.arrangeShipment = async (input: { orderId?: string }) => {
      if (input?.orderId === orders.inFlight.orderId) {
        arrived();
        await opened; // in flight until the deploy is done
      }
      return ship(input);
    };
    const on = { connection: env.nativeConnection, namespace: env.namespace ?? 'default', taskQueue };
    // Two workflow workers of one task queue in one process must differ in build ID (informational here:
    // no Worker Versioning).
    const build = (buildId: string) => ({
      workerDeploymentOptions: {
        version: { deploymentName: 'grade-08', buildId },
        useWorkerVersioning: false as const,
      },
    });
    const [activityWorker, v1Worker] = await Promise.all([
      Worker.create({ ...on, activities, interceptors: { activity: [attemptInterceptor] } }),
      Worker.create({ ...on, ...build('v1'), workflowBundle: v1Bundle, maxCachedWorkflows: 0 }),
    ]);
    // Made while v1 runs, so the deploy itself is quick; run (and so shut down) in every case.
    const v2Creating = Worker.create({ ...on, ...build('v2'), workflowBundle: v2Bundle });
    const start = (order: Order) =>
      client.workflow.start(LESSON.workflowType, {
        taskQueue,
        workflowId: orderWorkflowId('08', order.orderId),
        args: [order],
        workflowExecutionTimeout: ORDER_TIMEOUT_MS + 8_000,
      });
    const outcomes = {} as Record<keyof typeof orders, Outcome>;
    await activityWorker.runUntil(async () => {
      let handles: { inFlight: WorkflowHandle } | undefined;
      try {
        handles = await v1Worker.runUntil(async () => {
          const [onV1, inFlight] = await Promise.all([start(orders.onV1), start(orders.inFlight)]);
          outcomes.onV1 = await outcomeOf(client, onV1);
          // In flight once its shipment is on its way (or over, when it failed before).
          await Promise.race([reached, inFlight.result().catch(() => undefined), sleep(ORDER_TIMEOUT_MS)]);
          return { inFlight };
        });
      } finally {
        if (!handles) await (await v2Creating.catch(() => undefined))?.runUntil(Promise.resolve());
      }
      // The deploy: v1 has stopped, the lesson's v2 takes over.
      const v2Worker = await v2Creating;
      await v2Worker.runUntil(async () => {
        release();
        const fresh = await start(orders.fresh);
        [outcomes.inFlight, outcomes.fresh] = await Promise.all([
          outcomeOf(client, handles.inFlight),
          outcomeOf(client, fresh),
        ]);
      });
    });
    const runOf = async (key: keyof typeof orders): Promise<OrderRun> => {
      const workflowId = orderWorkflowId('08', orders[key].orderId);
      const history = await client.workflow
        .getHandle(workflowId)
        .fetchHistory()
        .catch(() => undefined);
      return { orderId: orders[key].orderId, workflowId, outcome: outcomes[key], ...(history ? { history } : {}) };
    };
    return {
      taskQueue,
      onV1: await runOf('onV1'),
      inFlight: await runOf('inFlight'),
      fresh: await runOf('fresh'),
      audit: services.ledger.audit(),
      calls: services.ledger.calls(),
    };
  } finally {
    release();
    services.close();
  }
}

const deploys = new Map<string, Promise<DeployRun>>();

/**
 * The deploy of the lesson copy in `lessonDir`, run once per content of what it runs (the workflows, the
 * activities, shared.ts, services/, common/): copies that differ only in replay.ts share one.
 */
export function deployRunOf(lessonDir: string): Promise<DeployRun> {
  const depth = path.relative(REPO_ROOT, lessonDir).split(path.sep).length;
  const key = `${depth}:${hashFiles([
    path.join(lessonDir, 'workflows'),
    path.join(lessonDir, 'activities.ts'),
    path.join(lessonDir, 'shared.ts'),
    path.join(REPO_ROOT, 'services'),
    path.join(REPO_ROOT, 'common'),
  ])}`;
  let run = deploys.get(key);
  if (!run) {
    run = deploy(lessonDir);
    deploys.set(key, run);
    run.catch(() => deploys.delete(key));
    while (deploys.size > 10) deploys.delete(deploys.keys().next().value!);
  }
  return run;
}
