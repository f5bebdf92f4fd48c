/**
 * `npm run reconcile`, spawned as a learner runs it, against dev servers of its own:
 *
 *   - orders terminated mid-flight (one after its charge, one after its reservation) next to one that
 *     completed: a dry run lists what it would undo and changes nothing, the run undoes it, a second
 *     run has nothing to do;
 *   - a dev server restarted on an empty database: the orders that were mid-flight are forgotten, and
 *     reconcile, against the new server, finds them "not found" and undoes what they left.
 *
 * Both end with a clean audit. The orders run on lesson 06's solution, on a worker in this process.
 */
import type { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LESSONS, orderWorkflowId } from '../../common/lessons';
import { attemptInterceptor } from '../../common/worker';
import { createServices, FaultPlan, Ledger, REPO_ROOT, sampleOrder, type CallRow, type Services } from '../../services';
import { createActivities } from '../../solution/06-order-fulfillment/activities';
import { lessonWorker } from '../../solution/06-order-fulfillment/worker';
import {
  startDevServer,
  startLocalEnvironment,
  type DevServer,
  type LocalEnvironment,
} from '../../common/kit/dev-server';
import { workflowBundle } from '../support/harness';
import { expectCleanAudit, faulted, inFlight, succeeded, untilCalls } from '../support/ledger-calls';

const TASK_QUEUE = 'reconcile-e2e';

interface Run {
  code: number | null;
  /** Non-empty stdout lines, without npm's own `> …` header. */
  lines: string[];
  stderr: string;
}

/** `npm run reconcile -- <args>` in a learner's shell: only the ledger and the server's address set. */
function npmReconcile(args: string[], env: { LEDGER_PATH: string; TEMPORAL_ADDRESS: string }): Promise<Run> {
  const shellEnv: NodeJS.ProcessEnv = { ...process.env, ...env, FORCE_COLOR: '0' };
  for (const key of Object.keys(shellEnv))
    if (/^(ORDER_|TASK_QUEUE$|TEMPORAL_NAMESPACE$|TEMPORAL_PROFILE$|TEMPORAL_CONFIG_FILE$|npm_)/i.test(key))
      delete shellEnv[key];
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', 'reconcile', ...(args.length ? ['--', ...args] : [])], {
      cwd: REPO_ROOT,
      env: shellEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const hang = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 90_000);
    child.once('close', (code) => {
      clearTimeout(hang);
      const lines = stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('>'));
      resolve({ code, lines, stderr });
    });
  });
}

/** One worker for lesson 06 whose activity calls go to each order's own services (its own faults). */
async function routedWorker(connection: NativeConnection, namespace: string, byOrder: Map<string, Services>) {
  const names = Object.keys(createActivities({} as Services));
  const activities = Object.fromEntries(
    names.map((name) => [
      name,
      (input: { orderId?: string; order?: { orderId: string } }) => {
        const services = byOrder.get(input.orderId ?? input.order?.orderId ?? '');
        if (!services) throw new Error(`no services for ${JSON.stringify(input)}`);
        return (createActivities(services) as Record<string, (i: unknown) => Promise<unknown>>)[name](input);
      },
    ]),
  );
  return Worker.create({
    connection,
    namespace,
    taskQueue: TASK_QUEUE,
    workflowBundle: await workflowBundle(lessonWorker.workflowsPath),
    activities,
    interceptors: { activity: [attemptInterceptor] },
  });
}

/** Polls the ledger until `done(calls of the order)` and no call of the order is in flight. */
function untilSettled(ledger: Ledger, orderId: string, done: (calls: CallRow[]) => boolean): Promise<void> {
  return untilCalls(ledger, orderId, (calls) => done(calls) && !inFlight(calls), 30_000);
}

/** `npm run reconcile -- <args>` exits 0 and prints exactly `lines`. */
async function expectReconcilePrints(
  args: string[],
  env: { LEDGER_PATH: string; TEMPORAL_ADDRESS: string },
  lines: string[],
): Promise<void> {
  const run = await npmReconcile(args, env);
  expect(run.code, run.stderr).to.equal(0);
  expect(run.lines).to.deep.equal(lines);
}

/** The orders of one scenario on one ledger, each with its own faults. */
class Orders {
  readonly byOrder = new Map<string, Services>();
  readonly ledger: Ledger;

  constructor(readonly ledgerPath: string) {
    this.ledger = Ledger.open(ledgerPath);
  }

  add(orderId: string, faults: string): string {
    this.byOrder.set(
      orderId,
      createServices({ ledger: Ledger.open(this.ledgerPath), faults: FaultPlan.parse(faults) }),
    );
    return orderId;
  }

  start(client: Client, orderId: string) {
    return client.workflow.start(LESSONS['06'].workflowType, {
      taskQueue: TASK_QUEUE,
      workflowId: orderWorkflowId('06', orderId),
      args: [sampleOrder(orderId)],
    });
  }

  close(): void {
    for (const services of this.byOrder.values()) services.close();
    this.ledger.close();
  }
}

describe('npm run reconcile, as a learner runs it (own dev servers)', function () {
  this.timeout(300_000);
  let scratch: string;
  let first: LocalEnvironment | undefined;
  let second: DevServer | undefined;
  const orders: Orders[] = [];

  before(() => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-reconcile-'));
  });

  after(async () => {
    await first?.teardown();
    await second?.stop();
    for (const o of orders) o.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('undoes what orders terminated mid-flight left; a dry run first changes nothing; a second run has nothing to do', async () => {
    first = await startLocalEnvironment({ dbFile: path.join(scratch, 'first.db'), log: () => undefined });
    const { client, nativeConnection } = first.env;
    const terminated = new Orders(path.join(scratch, 'terminated.sqlite'));
    orders.push(terminated);
    const completed = terminated.add('ORDER-401', 'none');
    const afterCharge = terminated.add('ORDER-402', 'inventory=always');
    const afterReservation = terminated.add('ORDER-403', 'shipping=always');
    const worker = await routedWorker(nativeConnection, first.server.namespace, terminated.byOrder);
    await worker.runUntil(async () => {
      await (await terminated.start(client, completed)).result();
      const stop = async (orderId: string, when: (calls: CallRow[]) => boolean) => {
        const handle = await terminated.start(client, orderId);
        await untilSettled(terminated.ledger, orderId, when);
        await handle.terminate('changed my mind');
      };
      await Promise.all([
        stop(afterCharge, (calls) => succeeded(calls, 'payment') && faulted(calls, 'inventory')),
        stop(afterReservation, (calls) => succeeded(calls, 'inventory') && faulted(calls, 'shipping')),
      ]);
    });
    const env = { LEDGER_PATH: terminated.ledgerPath, TEMPORAL_ADDRESS: first.server.address };
    const before = JSON.stringify(terminated.ledger.audit());

    await expectReconcilePrints(['--dry-run'], env, [
      'ORDER-402: order-ORDER-402 terminated; would refund $1,059.97',
      'ORDER-403: order-ORDER-403 terminated; would release 3 units, refund $1,059.97',
      'Would reconcile 2 orders: refund $2,119.94 (2 charges), release 3 units (1 reservation). Dry run: nothing was changed.',
      `Audit now: 2 orphaned charges ($2,119.94), 1 stuck reservation (3 units), 0 shipped but not paid (${env.LEDGER_PATH})`,
    ]);
    expect(JSON.stringify(terminated.ledger.audit())).to.equal(before);

    await expectReconcilePrints([], env, [
      'ORDER-402: order-ORDER-402 terminated; refunded $1,059.97',
      'ORDER-403: order-ORDER-403 terminated; released 3 units, refunded $1,059.97',
      'Reconciled 2 orders: refunded $2,119.94 (2 charges), released 3 units (1 reservation).',
      `Audit after: 0 orphaned charges, 0 stuck reservations, 0 shipped but not paid (${env.LEDGER_PATH})`,
    ]);
    const audit = terminated.ledger.audit();
    expectCleanAudit(audit);
    expect(audit.refunds.map((r) => r.orderId)).to.have.members([afterCharge, afterReservation]);

    await expectReconcilePrints([], env, [
      `Nothing to reconcile in ${env.LEDGER_PATH}: no orphaned charge, stuck reservation or unpaid shipment, and no call left in flight.`,
    ]);

    const json = await npmReconcile(['--json', '--dry-run'], env);
    expect(json.code, json.stderr).to.equal(0);
    expect(JSON.parse(json.lines.join('\n'))).to.deep.include({ dryRun: true, orders: [], skipped: [] });

    const bad = await npmReconcile(['--dryrun'], env);
    expect(bad.code).to.equal(2);
    expect(bad.stderr.split('\n').filter((l) => l.trim() && !/^npm (error|ERR)/.test(l))).to.deep.equal([
      'error: unknown option --dryrun',
    ]);
  });

  it('a dev server restarted on an empty database forgot its orders: reconcile finds them "not found" and undoes them', async () => {
    // The orders run on the first server; four of them are mid-flight (charged, reserved, shipping retrying).
    first ??= await startLocalEnvironment({ dbFile: path.join(scratch, 'first.db'), log: () => undefined });
    const { client, nativeConnection } = first.env;
    const forgotten = new Orders(path.join(scratch, 'forgotten.sqlite'));
    orders.push(forgotten);
    const done = ['ORDER-501', 'ORDER-502'].map((id) => forgotten.add(id, 'none'));
    const midFlight = ['ORDER-503', 'ORDER-504', 'ORDER-505', 'ORDER-506'].map((id) =>
      forgotten.add(id, 'shipping=always'),
    );
    const worker = await routedWorker(nativeConnection, first.server.namespace, forgotten.byOrder);
    await worker.runUntil(async () => {
      await Promise.all(done.map(async (id) => (await forgotten.start(client, id)).result()));
      await Promise.all(midFlight.map((id) => forgotten.start(client, id)));
      await Promise.all(
        midFlight.map((id) =>
          untilSettled(forgotten.ledger, id, (calls) => succeeded(calls, 'inventory') && faulted(calls, 'shipping')),
        ),
      );
    });
    // The server goes, and a new one starts at the same address on an empty database.
    const port = Number(first.server.address.split(':').pop());
    await first.teardown();
    first = undefined;
    second = await startDevServer({ port, dbFile: path.join(scratch, 'second.db'), log: () => undefined });
    const env = { LEDGER_PATH: forgotten.ledgerPath, TEMPORAL_ADDRESS: second.address };
    const before = JSON.stringify(forgotten.ledger.audit());

    await expectReconcilePrints(['--dry-run'], env, [
      ...midFlight.map((id) => `${id}: not found on ${second!.address}; would release 3 units, refund $1,059.97`),
      'Would reconcile 4 orders: refund $4,239.88 (4 charges), release 12 units (4 reservations). Dry run: nothing was changed.',
      `Audit now: 4 orphaned charges ($4,239.88), 4 stuck reservations (12 units), 0 shipped but not paid (${env.LEDGER_PATH})`,
    ]);
    expect(JSON.stringify(forgotten.ledger.audit())).to.equal(before);

    await expectReconcilePrints([], env, [
      ...midFlight.map((id) => `${id}: not found on ${second!.address}; released 3 units, refunded $1,059.97`),
      'Reconciled 4 orders: refunded $4,239.88 (4 charges), released 12 units (4 reservations).',
      `Audit after: 0 orphaned charges, 0 stuck reservations, 0 shipped but not paid (${env.LEDGER_PATH})`,
    ]);
    const audit = forgotten.ledger.audit();
    expectCleanAudit(audit);
    // The completed orders keep their charges and shipments.
    expect(audit.refunds.map((r) => r.orderId)).to.have.members(midFlight);
    expect(audit.shipments.filter((s) => !s.cancelled).map((s) => s.orderId)).to.have.members(done);

    const again = await npmReconcile([], env);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.lines).to.have.length(1);
    expect(again.lines[0]).to.match(/^Nothing to reconcile in /);
  });
});
