/**
 * Running a batch of orders through a Temporal lesson from the command line: a server (a private one,
 * or yours), an in-process worker, every order started at once, progress and per-order timings.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { NativeConnection, type Worker, type WorkerOptions } from '@temporalio/worker';
import type Long from 'long';
import path from 'node:path';
import { orderOutcome, type OrderOutcome } from '../../common/client';
import { temporalSettings } from '../../common/connection';
import { unreachable } from '../../common/connection-problems';
import { LESSONS, orderWorkflowId } from '../../common/lessons';
import { createLessonWorker, installWorkerLogging, type LessonWorker, type WorkerTuning } from '../../common/worker';
import type { Order, Services } from '../../services';
import { REPO_ROOT } from '../../services';
import { startDevServer, type DevServer } from '../../common/kit/dev-server';
import { isListening } from '../../common/kit/net';
import { webUiUrl } from './ui';

export interface ServerHandle {
  address: string;
  namespace: string;
  /** Web UI URL when there is one (found by ./ui for a server started elsewhere). */
  uiUrl?: string;
  /** The dev server this command started, if it started one. */
  devServer?: DevServer;
  stop(): Promise<void>;
}

/** A private dev server on free ports (no UI): for batch runs that must not touch your own server. */
export async function privateServer(log: (line: string) => void): Promise<ServerHandle> {
  installWorkerLogging('ERROR');
  const devServer = await startDevServer({ log });
  return { address: devServer.address, namespace: devServer.namespace, devServer, stop: () => devServer.stop() };
}

/** The namespace demos use, so their orders stay out of the learner's `default` list. */
export const DEMO_NAMESPACE = 'order-kit-demo';

/**
 * The server your settings point at (TEMPORAL_ADDRESS or a profile) when one answers there, with the
 * demo namespace created when missing; otherwise a dev server started here at that address, with the
 * Web UI on the next free port after it and its database under .temporal/.
 */
export async function demoServer(log: (line: string) => void): Promise<ServerHandle> {
  installWorkerLogging('ERROR');
  const settings = temporalSettings();
  const [host, portText] = [
    settings.address.slice(0, settings.address.lastIndexOf(':')),
    settings.address.split(':').pop(),
  ];
  const port = Number(portText);
  if (await isListening(host, port)) {
    const connection = await Connection.connect({ ...settings.connectionOptions, connectTimeout: '5 seconds' }).catch(
      (err: unknown) => {
        throw unreachable(settings, err);
      },
    );
    try {
      await ensureNamespace(connection, DEMO_NAMESPACE, log);
    } finally {
      await connection.close();
    }
    return {
      address: settings.address,
      namespace: DEMO_NAMESPACE,
      uiUrl: await webUiUrl(settings.address),
      stop: async () => undefined,
    };
  }
  const local = /^(127\.0\.0\.1|localhost)$/.test(host);
  if (!local) throw unreachable(settings, new Error('connection refused'));
  const db = path.join(REPO_ROOT, '.temporal', 'dev.db');
  log(
    `No Temporal server answers at ${settings.address}; starting a dev server there (database ${path.relative(REPO_ROOT, db)}).`,
  );
  const devServer = await startDevServer({
    port,
    ui: true,
    uiPort: port + 1000,
    dbFile: db,
    namespaces: [DEMO_NAMESPACE],
    logFile: path.join(REPO_ROOT, '.temporal', 'server.log'),
    log,
  });
  return {
    address: devServer.address,
    namespace: DEMO_NAMESPACE,
    uiUrl: devServer.uiUrl,
    devServer,
    stop: () => devServer.stop(),
  };
}

/** Registers `namespace` on the server when it does not exist yet, and waits until it can be used. */
async function ensureNamespace(connection: Connection, namespace: string, log: (line: string) => void): Promise<void> {
  try {
    await connection.workflowService.describeNamespace({ namespace });
    return;
  } catch {
    // not there yet
  }
  log(`Creating the namespace "${namespace}" on the server (once)…`);
  await connection.workflowService.registerNamespace({
    namespace,
    // protobufjs takes a plain number for an int64 field.
    workflowExecutionRetentionPeriod: { seconds: (24 * 3600) as unknown as Long },
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const client = new Client({ connection, namespace });
      await client.workflow.getHandle('namespace-probe').describe();
      return;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return; // the namespace answers
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * `connect()` again while a dev server that has just started says its frontend is not healthy yet (it
 * listens a moment before it serves); anything else, or still unhealthy after 15 s, is thrown.
 */
async function whenHealthy<T>(connect: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      return await connect();
    } catch (err) {
      const starting = err instanceof Error && /not healthy yet|UNAVAILABLE/i.test(err.message);
      if (!starting || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export interface OrderRun<R> {
  order: Order;
  outcome: OrderOutcome<R>;
  /** From start request to outcome, in ms. */
  latencyMs: number;
}

export interface BatchResult<R> {
  runs: OrderRun<R>[];
  seconds: number;
}

/** What runs one order: a workflow type, its ID and its arguments. */
export interface BatchWorkflow {
  workflowType: string;
  workflowId: (order: Order) => string;
  /** Default: the order alone. */
  args?: (order: Order) => unknown[];
}

export interface BatchOptions<R> {
  server: ServerHandle;
  services: Services;
  orders: Order[];
  /** The worker's task queue, workflows and activities (a lesson's, or any other). */
  worker: Pick<LessonWorker, 'taskQueue' | 'workflowsPath' | 'createActivities'>;
  workflow: BatchWorkflow;
  taskQueue?: string;
  /** How many orders are in flight at once (default: all of them). */
  concurrency?: number;
  /** A pre-built bundle of `worker.workflowsPath`, to bundle once for several batches. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  tuning?: WorkerTuning;
  onProgress?: (done: number, total: number) => void;
  /** Runs once the worker is up, just before the first order starts (e.g. start measuring). */
  beforeBatch?: () => void;
  /** Runs after the last order ended, while the worker still runs (e.g. print, then wait for Ctrl-C). */
  afterBatch?: (result: BatchResult<R>) => Promise<void>;
}

/**
 * Runs `orders` through any workflow with an in-process worker, at most `concurrency` in flight at a
 * time (all at once by default: Temporal and the worker then decide how many run concurrently).
 * Latency is per order, from its start request to its outcome; seconds is the whole batch.
 * An order ID that ran in an earlier batch may run again here (ALLOW_DUPLICATE): batch runs use a
 * fresh ledger each time, so its effects are new.
 */
export async function runWorkflowBatch<R>(options: BatchOptions<R>): Promise<BatchResult<R>> {
  const address = options.server.address;
  const connection = await whenHealthy(() => NativeConnection.connect({ address }));
  const clientConnection = await whenHealthy(() => Connection.connect({ address }));
  const client = new Client({ connection: clientConnection, namespace: options.server.namespace });
  const { workflow } = options;
  let worker: Worker | undefined;
  try {
    worker = await createLessonWorker(options.worker, {
      connection,
      namespace: options.server.namespace,
      services: options.services,
      taskQueue: options.taskQueue,
      workflowBundle: options.workflowBundle,
      tuning: options.tuning,
    });
    const taskQueue = worker.options.taskQueue;
    const runOne = async (order: Order): Promise<OrderRun<R>> => {
      const t0 = Date.now();
      const handle = await client.workflow.start(workflow.workflowType, {
        taskQueue,
        workflowId: workflow.workflowId(order),
        args: workflow.args?.(order) ?? [order],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      const outcome = await orderOutcome<R>(handle);
      return { order, outcome, latencyMs: Date.now() - t0 };
    };
    const run = async () => {
      const runs: OrderRun<R>[] = new Array(options.orders.length);
      let next = 0;
      let done = 0;
      // `concurrency` lanes, each taking the next order when its previous one ended. When one order
      // cannot even be started or followed, the other lanes stop taking orders and finish theirs
      // before the error surfaces: the connections close only once nothing uses them.
      const lanes = Math.min(options.concurrency ?? options.orders.length, options.orders.length);
      let failure: { error: unknown } | undefined;
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          while (next < options.orders.length && !failure) {
            const index = next++;
            try {
              runs[index] = await runOne(options.orders[index]);
            } catch (error) {
              failure ??= { error };
              return;
            }
            options.onProgress?.(++done, options.orders.length);
          }
        }),
      );
      if (failure) throw failure.error;
      return runs;
    };
    return await worker.runUntil(async () => {
      options.beforeBatch?.();
      const started = Date.now();
      const result = { runs: await run(), seconds: (Date.now() - started) / 1000 };
      await options.afterBatch?.(result);
      return result;
    });
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}

/**
 * Runs `orders` through a lesson with an in-process worker: the lesson's workflow for each order,
 * with the lesson's workflow IDs (`order-ORDER-001`). Every order is started at once unless
 * `concurrency` says otherwise.
 */
export async function runLessonBatch<R>(
  options: Omit<BatchOptions<R>, 'worker' | 'workflow'> & { lesson: LessonWorker },
): Promise<BatchResult<R>> {
  const spec = LESSONS[options.lesson.lesson];
  return runWorkflowBatch<R>({
    ...options,
    worker: options.lesson,
    workflow: { workflowType: spec.workflowType, workflowId: (order) => orderWorkflowId(spec.id, order.orderId) },
  });
}
