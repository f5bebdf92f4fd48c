/**
 * Durability: a worker PROCESS dies (SIGKILL, no graceful shutdown) right after the payment child
 * completed. A fresh worker picks the order up from its event history and finishes it, and the card
 * is charged exactly once: the payment child is not run again, and nothing done before the crash is
 * done twice.
 *
 * The first worker is the lesson's real entry point (solution/06-order-fulfillment/worker.ts) run
 * as a child process, so the kill is a real process crash, not a stopped Worker object.
 */
import { expect } from 'chai';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createServices, FaultPlan, Ledger, sampleOrder } from '../../services';
import { createActivities } from '../../solution/06-order-fulfillment/activities';
import type { OrderResult } from '../../solution/06-order-fulfillment/shared';
import { freshLedgerPath, uniqueTaskQueue, withWorker } from '../support/harness';
import { testEnv } from '../support/server';

const REPO_ROOT = path.resolve(__dirname, '../..');
const LESSON_DIR = path.join(REPO_ROOT, 'solution', '06-order-fulfillment');
/** The inventory child fails its first 3 attempts: 0.5 + 1 + 2 s of retry backoff after payment completes. */
const FAULTS = 'inventory=first:3';

const { EventType } = temporal.api.enums.v1;

/** Keeps the last `max` characters of a stream, for error messages. */
function tail(stream: NodeJS.ReadableStream | null, max = 4000): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-max);
  });
  return () => text;
}

/** Resolves when the child prints `marker` on stdout; rejects if it exits first or takes too long. */
function waitForOutput(child: ChildProcess, marker: string, timeoutMs: number, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes(marker)) done();
    };
    const onExit = (code: number | null, signal: string | null) =>
      done(
        new Error(
          `the worker process exited (code ${code}, signal ${signal}) before printing "${marker}":\n${stdout}\n${stderr()}`,
        ),
      );
    const timer = setTimeout(
      () =>
        done(
          new Error(
            `the worker process did not print "${marker}" within ${timeoutMs / 1000} s:\n${stdout}\n${stderr()}`,
          ),
        ),
      timeoutMs,
    );
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** SIGKILLs the child (if it still runs) and waits until it is gone. */
async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** Polls the parent's history until the payment child has completed; fails fast if the order ends first. */
async function waitForPaymentChildCompleted(
  handle: WorkflowHandle,
  timeoutMs: number,
  diagnostics: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const closed = new Set([
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  ]);
  while (Date.now() < deadline) {
    const events = (await handle.fetchHistory()).events ?? [];
    const paymentDone = events.some(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED &&
        e.childWorkflowExecutionCompletedEventAttributes?.workflowType?.name === 'paymentWorkflow',
    );
    if (paymentDone) return;
    const end = events.find((e) => e.eventType != null && closed.has(e.eventType));
    if (end) throw new Error(`the order ended (${EventType[end.eventType!]}) before its payment child completed`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the payment child did not complete within ${timeoutMs / 1000} s:\n${diagnostics()}`);
}

describe('lesson 06 durability: a worker process killed mid-order', function () {
  // Spawning ts-node and bundling the workflows in the child takes 10-20 s on a small machine.
  this.timeout(120_000);

  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (child) await killHard(child);
    child = undefined;
  });

  it('finishes the order on a new worker after SIGKILL, with exactly one charge', async () => {
    const env = testEnv();
    const taskQueue = uniqueTaskQueue('durability-06');
    const ledgerPath = freshLedgerPath('durability-06');
    const order = sampleOrder(`ORDER-DUR-${randomUUID().slice(0, 8)}`);

    // 1. The lesson's own worker, as a separate process.
    const worker = spawn(process.execPath, [require.resolve('ts-node/dist/bin'), path.join(LESSON_DIR, 'worker.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.address,
        TASK_QUEUE: taskQueue,
        LEDGER_PATH: ledgerPath,
        ORDER_FAULTS: FAULTS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = worker;
    const stderr = tail(worker.stderr);
    await waitForOutput(worker, 'worker polling', 90_000, stderr);

    // 2. Start the order and wait until the payment child has completed.
    const handle = await env.client.workflow.start('orderFulfillmentWorkflow', {
      taskQueue,
      workflowId: `order-${order.orderId}`,
      args: [order],
      // A bound on the whole order: if recovery is broken, the test fails with a timeout, not a hang.
      workflowExecutionTimeout: '90 seconds',
    });
    await waitForPaymentChildCompleted(handle, 30_000, stderr);

    // 3. Crash: no graceful shutdown, no chance to finish anything in flight.
    await killHard(worker);
    expect(worker.signalCode).to.equal('SIGKILL');
    expect((await handle.describe()).status.name).to.equal('RUNNING');

    // 4. A new worker on the same task queue and ledger. The fault plan counts attempts in the
    //    ledger per (step, key), so the inventory child carries on where it was.
    const services = createServices({ ledger: Ledger.open(ledgerPath), faults: FaultPlan.parse(FAULTS) });
    try {
      const result = await withWorker(
        { taskQueue, workflowsPath: path.join(LESSON_DIR, 'workflows'), activities: createActivities(services) },
        () => handle.result() as Promise<OrderResult>,
      );
      expect(result.status).to.equal('COMPLETED');
      expect(result.steps.map((s) => s.state)).to.deep.equal(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);

      const audit = services.ledger.audit();
      expect(audit.charges, 'charges').to.have.length(1);
      expect(audit.charges[0]).to.include({ orderId: order.orderId, key: `payment-${order.orderId}` });
      expect(audit.refunds, 'refunds').to.have.length(0);
      expect(audit.reservations, 'reservations').to.have.length(1);
      expect(audit.releases, 'releases').to.have.length(0);
      expect(audit.shipments, 'shipments').to.have.length(1);
      expect(audit.orphanedCharges).to.have.length(0);
      expect(audit.stuckReservations).to.have.length(0);
      // The payment child ran once, before the crash; the new worker never called the gateway.
      expect(services.ledger.calls({ step: 'payment' }), 'payment calls').to.have.length(1);
      // The injected inventory faults happened exactly as planned across both workers, then it succeeded.
      const inventoryOutcomes = services.ledger.calls({ step: 'inventory' }).map((c) => c.outcome);
      expect(inventoryOutcomes.slice(0, 3), 'inventory calls').to.deep.equal(['fault', 'fault', 'fault']);
      expect(inventoryOutcomes).to.include('ok');
    } finally {
      services.close();
    }
  });
});
