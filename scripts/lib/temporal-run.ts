/**
 * Running orders through a Temporal lesson from the command line: connect to (or start) a server,
 * run an in-process worker, start many orders at once and report progress.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Order, Services } from '../../services';
import { REPO_ROOT } from '../../services';
import { orderOutcome, startOrder, type OrderOutcome } from '../../solution/06-order-fulfillment/client';
import { quietWorkerLogs, startLocalEnvironment } from './local-env';
import { isListening } from './net';
import { ensureTemporalCli } from './temporal-cli';

export interface ServerHandle {
  address: string;
  namespace: string;
  /** Web UI URL when there is one. */
  uiUrl?: string;
  startedHere: boolean;
  stop(): Promise<void>;
  /** Leave a server started here running after this process exits (`--keep`). */
  detach?(): void;
}

/** An ephemeral dev server on a free port (no UI): for batch runs that must not touch your own server. */
export async function ephemeralServer(log: (line: string) => void): Promise<ServerHandle> {
  const env = await startLocalEnvironment(log);
  return { address: env.address, namespace: env.namespace ?? 'default', startedHere: true, stop: () => env.teardown() };
}

/**
 * The server at TEMPORAL_ADDRESS if one answers; otherwise a dev server started here on that port
 * with the Web UI on 8233 and its database under .temporal/ (so `--keep` leaves something to browse).
 */
export async function serverAtAddress(log: (line: string) => void): Promise<ServerHandle> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = process.env.TEMPORAL_NAMESPACE ?? 'default';
  const [host, portText] = address.split(':');
  const port = Number(portText ?? 7233);
  if (await isListening(host, port)) {
    return { address, namespace, uiUrl: 'http://localhost:8233 (if your server has the UI on)', startedHere: false, stop: async () => undefined };
  }
  const binary = await ensureTemporalCli(log);
  const db = path.join(REPO_ROOT, '.temporal', 'dev.db');
  fs.mkdirSync(path.dirname(db), { recursive: true });
  log(`No Temporal server answers at ${address}; starting a dev server there (database ${path.relative(REPO_ROOT, db)}).`);
  const child: ChildProcess = spawn(
    binary,
    ['server', 'start-dev', '--ip', host, '--port', String(port), '--ui-port', '8233', '--db-filename', db, '--log-level', 'error'],
    { stdio: 'ignore', detached: true },
  );
  const deadline = Date.now() + 30_000;
  while (!(await isListening(host, port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the dev server did not start at ${address}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    address,
    namespace,
    uiUrl: 'http://localhost:8233',
    startedHere: true,
    stop: async () => {
      child.kill('SIGTERM');
    },
    detach: () => child.unref(),
  };
}

export interface BatchResult {
  outcomes: { order: Order; outcome: OrderOutcome }[];
  seconds: number;
}

/**
 * Runs `orders` through lesson 06 with an in-process worker on a unique task queue. All orders are
 * started at once; Temporal and the worker decide how many run concurrently.
 */
export async function runLesson06Batch(options: {
  server: ServerHandle;
  services: Services;
  orders: Order[];
  workflowsPath: string;
  createActivities: (services: Services) => object;
  onProgress?: (done: number, total: number) => void;
}): Promise<BatchResult> {
  quietWorkerLogs();
  const connection = await NativeConnection.connect({ address: options.server.address });
  const clientConnection = await Connection.connect({ address: options.server.address });
  const client = new Client({ connection: clientConnection, namespace: options.server.namespace });
  const taskQueue = `order-fulfillment-batch-${randomUUID().slice(0, 8)}`;
  const worker = await Worker.create({
    connection,
    namespace: options.server.namespace,
    taskQueue,
    workflowsPath: options.workflowsPath,
    activities: options.createActivities(options.services),
  });
  const started = Date.now();
  try {
    const outcomes = await worker.runUntil(async () => {
      const handles = await Promise.all(options.orders.map((order) => startOrder(client, order, taskQueue)));
      let done = 0;
      return Promise.all(
        handles.map(async (handle, i) => {
          const outcome = await orderOutcome(handle);
          options.onProgress?.(++done, handles.length);
          return { order: options.orders[i], outcome };
        }),
      );
    });
    return { outcomes, seconds: (Date.now() - started) / 1000 };
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}
