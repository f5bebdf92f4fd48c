/**
 * One case of `npm run chaos`, from start to verdict: its own dev server, ledger, task queue and
 * workers; its runs (orders started, broken as the case says, followed until they end, reconciled if
 * the case asks, every late call landed); then the checks of each run and what the case used.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LESSONS } from '../../common/lessons';
import { reconcile } from '../../common/reconcile';
import { installWorkerLogging } from '../../common/worker';
import { Ledger, sampleBatch } from '../../services';
import type { CaseResult, CaseSpec, ChaosLesson, RunContext } from './case';
import { auditOf, invariants } from './invariants';
import { Lab } from './lab';
import { startOrders, waitForOrders } from './orders';
import { lateCallsLanded } from './progress';

/** Log lines say how long into the whole matrix they were written. */
const STARTED = Date.now();

/** The lesson's own worker entry point, as a learner starts it. */
const workerFile = (lesson: ChaosLesson) => `solution/${LESSONS[lesson].folder}/worker.ts`;

/** `npm run reconcile`, as the operator runs it after the orders ended; its counts go to the case's checks. */
async function reconcileRun(run: RunContext, statuses: Map<string, string>): Promise<void> {
  run.counts.forgotten = [...statuses.values()].filter((s) => s === 'FORGOTTEN').length;
  installWorkerLogging();
  const result = await reconcile({
    client: run.client,
    ledger: run.ledger,
    connection: () => NativeConnection.connect({ address: run.lab.server.address }),
    taskQueue: `reconcile-${run.taskQueue}-${run.run}`,
  });
  const ids = new Set(run.orders.map((o) => o.orderId));
  const mine = result.orders.filter((o) => ids.has(o.orderId));
  run.counts.reconciled = mine.length;
  run.counts.reconcileFailed = mine.flatMap((o) => o.undos).filter((u) => u.outcome === 'failed').length;
  run.log(
    `reconciled ${mine.length} orders: refunded ${result.totals.refunds}, released ${result.totals.releases}, ` +
      `cancelled ${result.totals.shipmentsCancelled} shipment(s)`,
  );
}

export async function runCase(
  spec: CaseSpec,
  options: { runs: number; orders: number },
  root: string,
): Promise<CaseResult> {
  const started = Date.now();
  const dir = path.join(root, spec.id);
  fs.mkdirSync(dir, { recursive: true });
  const ledgerPath = path.join(dir, 'ledger.sqlite');
  const taskQueue = `${LESSONS[spec.lesson].taskQueue}-chaos-${spec.id}`;
  const log = (line: string) =>
    process.stderr.write(`${((Date.now() - STARTED) / 1000).toFixed(0).padStart(4)} s  [${spec.id}] ${line}\n`);
  const lab = new Lab(
    dir,
    {
      LEDGER_PATH: ledgerPath,
      ORDER_FAULTS: spec.faults,
      ORDER_SEED: '1',
      ORDER_LATENCY: spec.latency ?? '',
      TASK_QUEUE: taskQueue,
    },
    log,
    workerFile(spec.lesson),
  );
  const runs = spec.runs ?? options.runs;
  const perRun = spec.orders ?? options.orders;
  const result: CaseResult = {
    id: spec.id,
    title: spec.title,
    faults: spec.faults,
    runs,
    passed: false,
    problems: [],
    notes: [],
    orders: 0,
    completed: 0,
    failed: 0,
    charges: 0,
    refunds: 0,
    orphans: 0,
    stuck: 0,
    shippedUnpaid: 0,
    refusedLate: 0,
    workerStarts: 0,
    workerPeakMiB: 0,
    serverPeakMiB: 0,
    workerCpuSeconds: 0,
    serverCpuSeconds: 0,
    seconds: 0,
  };
  let connection: Connection | undefined;
  let ledger: Ledger | undefined;
  try {
    await lab.startServer();
    ledger = Ledger.open(ledgerPath);
    // The client's connection survives the server restart: gRPC reconnects on its own.
    connection = await Connection.connect({ address: lab.server.address });
    const client = new Client({ connection, namespace: 'default' });
    log(
      `server ${lab.server.address} (pid ${lab.server.pid}, database ${path.join(dir, 'temporal.db')}); faults ${spec.faults}`,
    );
    await lab.startWorker();
    for (let r = 1; r <= runs; r++) {
      const runStarted = Date.now();
      const tag = `${spec.id}-${r}-${randomUUID().slice(0, 4)}`.toUpperCase();
      const orders = sampleBatch(perRun).map((o, i) => ({
        ...o,
        orderId: `CHAOS-${tag}-${String(i + 1).padStart(3, '0')}`,
      }));
      const run: RunContext = {
        spec,
        run: r,
        orders,
        client,
        taskQueue,
        ledger,
        lab,
        log: (l) => log(`run ${r}/${runs}: ${l}`),
        notes: [],
        counts: {},
      };
      if (lab.workers.length === 0) await lab.startWorker();
      let statuses: Map<string, string>;
      if (spec.drive) {
        statuses = await spec.drive(run);
      } else {
        await startOrders(client, spec.lesson, orders, taskQueue);
        run.log(`${orders.length} orders started`);
        await spec.during?.(run);
        statuses = await waitForOrders(client, orders, spec.lesson);
      }
      const endedAt = Date.now();
      if (spec.reconcile) await reconcileRun(run, statuses);
      // A saga is judged once every late call has landed, not when its orders end.
      if (!(await lateCallsLanded(run))) run.notes.push('calls still in flight a minute after the orders ended');
      const audit = auditOf(ledger.audit(), new Set(orders.map((o) => o.orderId)));
      const problems = [...invariants(spec, orders, statuses, audit), ...((await spec.check?.(run, audit)) ?? [])];
      const count = (s: string) => [...statuses.values()].filter((v) => v === s).length;
      result.orders += orders.length;
      result.completed += count('COMPLETED');
      result.failed += count('FAILED');
      result.charges += audit.charges.length;
      result.refunds += audit.refunds.length;
      result.orphans += audit.orphanedCharges.length;
      result.stuck += audit.stuckReservations.length;
      result.shippedUnpaid += audit.shippedUnpaid.length;
      result.refusedLate += audit.refusedLateCalls.length;
      result.problems.push(...problems.map((p) => `run ${r}: ${p}`));
      result.notes.push(...run.notes.map((n) => `run ${r}: ${n}`));
      if (run.restartedAt) {
        result.notes.push(
          `run ${r}: every order ended ${((endedAt - run.restartedAt) / 1000).toFixed(1)} s after the restart`,
        );
      }
      run.log(
        `${count('COMPLETED')} completed, ${count('FAILED')} failed in ${((endedAt - runStarted) / 1000).toFixed(1)} s; ` +
          `${problems.length ? `FAIL: ${problems.slice(0, 3).join('; ')}` : 'ledger clean'}`,
      );
    }
  } catch (err) {
    result.problems.push(`the case could not run: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await connection?.close().catch(() => undefined);
    await lab.stop().catch(() => undefined);
    ledger?.close();
  }
  result.passed = result.problems.length === 0;
  result.workerStarts = lab.workerStarts;
  result.workerPeakMiB = lab.peakMiB('worker');
  result.serverPeakMiB = lab.peakMiB('server');
  result.workerCpuSeconds = lab.cpuSeconds('worker');
  result.serverCpuSeconds = lab.cpuSeconds('server');
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  log(`${result.passed ? 'PASS' : 'FAIL'} in ${result.seconds} s`);
  return result;
}
