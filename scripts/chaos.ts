/**
 * `npm run chaos`: the fault matrix of lessons 06 and 07 on a real dev server with a file database, with
 * the lesson's own worker entry point (solution/<lesson>/worker.ts) in separate processes,
 * configured only through its environment (LEDGER_PATH, ORDER_FAULTS, TASK_QUEUE, TEMPORAL_ADDRESS),
 * as a learner or an operator runs it. Each case breaks something (kills the worker with SIGKILL,
 * kills the server with SIGKILL and restarts it on its database, makes an undo fail for a while,
 * re-runs a failed order ID, makes a step answer after its timeout, sends 300 orders at once), waits
 * until every order has ended and every late call has landed, and then reads the ledger: nothing lost (no orphaned charge, no stuck reservation), nothing free (nothing
 * shipped but not paid), nothing done twice (one charge per order), every order ended as expected.
 *
 * Each case gets its own dev server (so its peak memory and CPU time are its own), ledger and task
 * queue; cases run a few at a time. It prints progress lines, then a table, then `tests: N passed, N failed` (one test
 * per case), and exits 1 when any case fails.
 */
import {
  CancelledFailure,
  Client,
  Connection,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowFailedError,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { msToNumber } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OrderAlreadyRanError } from '../common/client';
import { LESSONS, orderWorkflowId } from '../common/lessons';
import { reconcile } from '../common/reconcile';
import { installWorkerLogging } from '../common/worker';
import { Ledger, sampleBatch, type Audit, type CallRow, type Order } from '../services';
import { fulfillmentOutcome, startOrder } from '../solution/06-order-fulfillment/client';
import { parentWorkflowId } from '../solution/06-order-fulfillment/shared';
import { STEP_OPTIONS } from '../solution/06-order-fulfillment/workflows/options';
import { startDevServer, type DevServer } from '../common/kit/dev-server';
import { startTsProcess, type ProcessHandle } from '../common/kit/processes';
import { parseArgs, runMain, usage, UsageError } from './lib/args';

const FLAGS = {
  runs: { type: 'int', min: 1, max: 20, description: 'runs of each case (default 3)' },
  orders: { type: 'int', min: 1, max: 200, description: 'orders per run of each fault case (default 10)' },
  load: { type: 'int', min: 1, max: 2000, description: 'orders in the concurrency case, one run (default 300)' },
  only: { type: 'string', description: 'run only these cases (comma-separated ids, see the table)' },
  parallel: { type: 'int', min: 1, max: 8, description: 'cases at a time (default 4; the load case runs alone, last)' },
  json: { type: 'boolean', description: 'print the results as JSON instead of a table' },
} as const;

/** The lessons the matrix runs, each through its own worker entry point, as a learner starts it. */
type ChaosLesson = '03' | '06' | '07';
const workerFile = (lesson: ChaosLesson) => `solution/${LESSONS[lesson].folder}/worker.ts`;
/** Longer than a forward step's StartToClose timeout, with room to spare: every attempt answers late. */
const LATE_MS = msToNumber(STEP_OPTIONS.startToCloseTimeout!) + 5_000;
const STARTED = Date.now();
/** A run whose orders have not all ended after this long fails (and its orders are terminated). */
const runDeadlineMs = (orders: number) => 120_000 + 1_000 * orders;

// ---- what one case is -------------------------------------------------------------------------

type Expected = 'COMPLETED' | 'FAILED' | 'ANY';

interface CaseSpec {
  id: string;
  title: string;
  /** Default 06. */
  lesson?: ChaosLesson;
  faults: string;
  /** ORDER_LATENCY for the case's workers (default none). */
  latency?: string;
  expected: Expected;
  /** Runs (the load case always has one). */
  runs?: number;
  /** Orders per run (default --orders). */
  orders?: number;
  /** What happens during a run, after its orders have started. */
  during?: (run: RunContext) => Promise<void>;
  /** Extra checks of one run, beyond the invariants every case has. */
  check?: (run: RunContext, audit: Audit) => string[] | Promise<string[]>;
  /** Replaces starting and following the orders (the re-run case drives its own). */
  drive?: (run: RunContext) => Promise<Map<string, string>>;
  /**
   * Runs `npm run reconcile`'s reconcile() once the orders have ended: orders that ended TERMINATED or
   * FORGOTTEN (by a server that lost its database) must then keep nothing, like failed ones.
   */
  reconcile?: boolean;
}

interface RunContext {
  spec: CaseSpec;
  run: number;
  orders: Order[];
  client: Client;
  taskQueue: string;
  ledger: Ledger;
  lab: Lab;
  log: (line: string) => void;
  /** Notes for the case's lines under the table, e.g. what the kill cut off. */
  notes: string[];
  /** Counts a case's own checks read (the re-run case: how many re-runs were refused). */
  counts: Record<string, number>;
  /** When the server came back (the server case). */
  restartedAt?: number;
}

/** The server, the workers, and what they used, of one case. */
class Lab {
  server!: DevServer;
  workers: ProcessHandle[] = [];
  workerStarts = 0;
  /** How many databases the case's servers have used (a restart on an empty one adds one). */
  private databases = 1;
  /** Peak memory and CPU time of every process the case ran, read just before it was stopped or killed. */
  private readonly usage = new Map<number, Usage & { kind: 'worker' | 'server' }>();

  constructor(
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
    private readonly workerFile: string,
  ) {}

  async startServer(port?: number): Promise<void> {
    this.server = await startDevServer({
      dbFile: path.join(this.dir, this.databases > 1 ? `temporal-${this.databases}.db` : 'temporal.db'),
      // Write-ahead log, synced at checkpoints rather than on every commit: a killed server process
      // loses nothing (its writes are already in the OS's page cache), and a small disk keeps up with
      // 300 orders at once. With the defaults the server spends its time in fsync and starts timing out.
      sqlitePragmas: ['journal_mode=wal', 'synchronous=normal'],
      logFile: path.join(this.dir, 'temporal.log'),
      ...(port ? { port } : {}),
    });
  }

  /**
   * SIGKILL the dev server (nothing flushed, nothing closed) and start it again on the same database, or
   * with `emptyDatabase` on a new one: a server that has forgotten every order.
   */
  async killAndRestartServer(downMs: number, options: { emptyDatabase?: boolean } = {}): Promise<void> {
    const { pid } = this.server;
    this.record('server', pid);
    const port = Number(this.server.address.split(':').pop());
    process.kill(pid, 'SIGKILL');
    await this.server.stop(); // returns once the process is gone
    const on = options.emptyDatabase ? 'an empty database' : 'the same database';
    this.log(`server pid ${pid} killed with SIGKILL; restarting in ${downMs / 1000} s on ${on}`);
    await sleep(downMs);
    if (options.emptyDatabase) this.databases++;
    await this.startServer(port);
    this.log(`server back at ${this.server.address} (pid ${this.server.pid})`);
  }

  async startWorker(): Promise<ProcessHandle> {
    const worker = startTsProcess(this.workerFile, { ...this.env, TEMPORAL_ADDRESS: this.server.address });
    this.workers.push(worker);
    this.workerStarts++;
    await worker.waitFor('worker polling', 120_000);
    return worker;
  }

  /** SIGKILL: a crash, with activities and workflow tasks in flight. */
  async killWorker(worker: ProcessHandle): Promise<void> {
    this.record('worker', worker.pid);
    await worker.kill();
    this.workers = this.workers.filter((w) => w !== worker);
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) {
      this.record('worker', worker.pid);
      await worker.stop(10_000);
    }
    this.workers = [];
    if (this.server) {
      this.record('server', this.server.pid);
      await this.server.stop();
    }
  }

  private record(kind: 'worker' | 'server', pid: number): void {
    const usage = usageOf(pid);
    if (usage) this.usage.set(pid, { kind, ...usage });
  }

  /** The highest peak memory of one process of `kind`, in MiB. */
  peakMiB(kind: 'worker' | 'server'): number {
    const peaks = [...this.usage.values()].filter((u) => u.kind === kind).map((u) => u.peakKiB);
    return Math.round(Math.max(0, ...peaks) / 1024);
  }

  /** CPU time of every process of `kind`, in seconds. */
  cpuSeconds(kind: 'worker' | 'server'): number {
    const total = [...this.usage.values()].filter((u) => u.kind === kind).reduce((sum, u) => sum + u.cpuSeconds, 0);
    return Math.round(total);
  }
}

interface Usage {
  /** Peak resident memory (VmHWM). */
  peakKiB: number;
  /** User and system CPU time so far. */
  cpuSeconds: number;
}

/** What a live process has used, from /proc; undefined when it cannot be read (it is gone, or not Linux). */
function usageOf(pid: number): Usage | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    // /proc/<pid>/stat: fields 14 and 15 (after the command in parentheses) are utime and stime, in ticks.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { peakKiB: Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0), cpuSeconds: ticks / 100 };
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every 100 ms; false when `timeoutMs` passes first. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(100);
  }
  return false;
}

/** The ledger's calls for this run's orders. */
function callsOf(run: RunContext, step: string): CallRow[] {
  const ids = new Set(run.orders.map((o) => o.orderId));
  return run.ledger.calls({ step }).filter((c) => ids.has(c.orderId));
}

/** How many of this run's orders have a call of `step` that ended with `outcome` (any outcome if omitted). */
function ordersWith(run: RunContext, step: string, outcome?: string): number {
  return new Set(
    callsOf(run, step)
      .filter((c) => outcome === undefined || c.outcome === outcome)
      .map((c) => c.orderId),
  ).size;
}

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

/** Waits (up to a minute) until no call of this run's orders is still on its way to a service. */
function lateCallsLanded(run: RunContext): Promise<boolean> {
  const ids = new Set(run.orders.map((o) => o.orderId));
  return until(() => !run.ledger.calls().some((c) => c.outcome === 'started' && ids.has(c.orderId)), 60_000);
}

/** Kills the worker once `ready` holds (or after 60 s), starts a new one, and notes what it cut off. */
async function killWorkerWhen(run: RunContext, what: string, ready: () => boolean): Promise<void> {
  const [worker] = run.lab.workers;
  const inTime = await until(ready, 60_000);
  if (!inTime) run.notes.push(`run ${run.run}: the moment to kill (${what}) never came`);
  const at = describeProgress(run);
  await run.lab.killWorker(worker);
  run.log(`worker pid ${worker.pid} killed with SIGKILL ${what} (${at}); starting a new one`);
  const next = await run.lab.startWorker();
  run.log(`new worker pid ${next.pid} polling`);
}

function describeProgress(run: RunContext): string {
  const n = run.orders.length;
  return (
    `charged ${ordersWith(run, 'payment', 'ok')}/${n}, reserved ${ordersWith(run, 'inventory', 'ok')}/${n}, ` +
    `refunds ${ordersWith(run, 'refund', 'ok')}/${n}, releases ${ordersWith(run, 'release', 'ok')}/${n}`
  );
}

// ---- the cases --------------------------------------------------------------------------------

const half = (run: RunContext) => Math.ceil(run.orders.length / 2);

function countIs(label: string, actual: number, expected: number): string[] {
  return actual === expected ? [] : [`${label}: ${actual}, expected ${expected}`];
}

/** Every order's undos all finished: refunded, released, and (when a shipment exists) cancelled. */
function fullyUndone(run: RunContext, audit: Audit): string[] {
  const n = run.orders.length;
  return [
    ...countIs('refunds', audit.refunds.length, audit.charges.length),
    ...countIs('releases', audit.releases.length, audit.reservations.length),
    ...countIs('charges', audit.charges.length, n),
  ];
}

function cases(options: { orders: number; load: number; runs: number }): CaseSpec[] {
  return [
    {
      id: 'kill-payment',
      title: 'kill -9 worker during payment retries',
      faults: 'payment=first:2',
      expected: 'COMPLETED',
      during: (run) =>
        killWorkerWhen(run, 'during payment retries', () => ordersWith(run, 'payment', 'fault') >= half(run)),
    },
    {
      id: 'kill-inventory',
      title: 'kill -9 worker during inventory retries',
      faults: 'inventory=first:3',
      expected: 'COMPLETED',
      during: (run) =>
        killWorkerWhen(run, 'during inventory retries', () => ordersWith(run, 'inventory', 'fault') >= half(run)),
    },
    {
      id: 'kill-compensation',
      title: 'kill -9 worker during compensation',
      faults: 'shipping=always,refund=first:4',
      expected: 'FAILED',
      during: (run) => killWorkerWhen(run, 'during compensation', () => ordersWith(run, 'release') >= half(run)),
      check: fullyUndone,
    },
    {
      id: 'kill-server',
      title: 'dev server SIGKILL + restart on its DB',
      faults: 'inventory=first:2',
      expected: 'COMPLETED',
      during: async (run) => {
        await until(() => ordersWith(run, 'payment', 'ok') >= half(run), 60_000);
        const at = describeProgress(run);
        run.log(`killing the server (${at})`);
        await run.lab.killAndRestartServer(1_000);
        run.restartedAt = Date.now();
        run.notes.push(`server killed when ${at}`);
      },
    },
    {
      id: 'refund-recovers',
      title: 'refund fails for a while, then recovers',
      faults: 'shipping=always,refund=first:5',
      expected: 'FAILED',
      check: (run, audit) => [
        ...fullyUndone(run, audit),
        // Five failed calls, then the one that refunded: per order, over two rounds.
        ...countIs('refund calls', callsOf(run, 'refund').length, 6 * run.orders.length),
      ],
    },
    {
      id: 'release-recovers',
      title: 'release fails for a while, then recovers',
      faults: 'shipping=always,release=first:5',
      expected: 'FAILED',
      check: (run, audit) => [
        ...fullyUndone(run, audit),
        ...countIs('release calls', callsOf(run, 'release').length, 6 * run.orders.length),
      ],
    },
    {
      id: 'cancel-recovers',
      title: 'cancelShipment fails for a while, then recovers',
      // after:4: every shipping attempt books the carrier, then reports an error, so there is a shipment to cancel.
      faults: 'shipping=after:4,cancelShipment=first:5',
      expected: 'FAILED',
      check: (run, audit) => [
        ...fullyUndone(run, audit),
        ...countIs('shipments', audit.shipments.length, run.orders.length),
        ...countIs('cancelled shipments', audit.shipments.filter((s) => s.cancelled).length, run.orders.length),
      ],
    },
    {
      id: 'rerun-failed',
      title: 're-run of a failed order ID',
      // A second run's shipment would succeed: only the refusal to reuse a refunded charge stops it.
      faults: 'shipping=first:4',
      expected: 'FAILED',
      drive: driveRerun,
      check: (run, audit) => [
        ...fullyUndone(run, audit),
        ...countIs('shipments', audit.shipments.length, 0),
        ...countIs('re-runs refused by the client (OrderAlreadyRanError)', run.counts.refused ?? 0, run.orders.length),
        ...countIs('raw re-runs failed at payment (AlreadyUndone)', run.counts.alreadyUndone ?? 0, run.orders.length),
      ],
    },
    ...lateCases(),
    {
      id: 'warehouses-03',
      title: 'lesson 03: 70 % of warehouse reservations fail',
      lesson: '03',
      // Each warehouse of an order draws its own faults: some orders lose one branch of the fan-out
      // after the other reserved, some lose every attempt, some get through.
      faults: 'inventory=0.7',
      expected: 'ANY',
      orders: 16,
      check: (run, audit) => {
        const ended = new Set(audit.charges.map((c) => c.orderId));
        const completed = run.orders.filter((o) =>
          audit.shipments.some((s) => s.orderId === o.orderId && !s.cancelled),
        );
        const problems: string[] = [];
        if (completed.length === 0) problems.push('no order completed: the case proves nothing about completed orders');
        if (completed.length === run.orders.length) problems.push('every order completed: no branch failed for good');
        if (ended.size === 0) problems.push('no order was charged');
        return problems;
      },
    },
    {
      id: 'terminate-reconcile',
      title: 'half the orders terminated mid-flight, then reconciled',
      faults: 'none',
      // Slow enough that a terminated order has a reservation still on its way.
      latency: 'inventory=1s,shipping=2s',
      expected: 'ANY',
      reconcile: true,
      during: async (run) => {
        // Terminated once charged and with the reservation on its way: it lands after the order is gone.
        const doomed = run.orders.slice(0, half(run));
        const ids = new Set(doomed.map((o) => o.orderId));
        const reserving = () =>
          new Set(
            callsOf(run, 'inventory')
              .filter((c) => ids.has(c.orderId))
              .map((c) => c.orderId),
          ).size;
        if (!(await until(() => reserving() === doomed.length, 60_000))) {
          run.notes.push('not every order to terminate had its reservation on its way in time');
        }
        await Promise.all(
          doomed.map((o) =>
            run.client.workflow.getHandle(parentWorkflowId(o.orderId)).terminate('chaos: terminated mid-flight'),
          ),
        );
        run.log(`terminated ${doomed.length} orders, their reservations on their way (${describeProgress(run)})`);
      },
      check: (run) => [
        ...countIs('orders reconciled', run.counts.reconciled ?? 0, half(run)),
        ...countIs('undos that failed', run.counts.reconcileFailed ?? 0, 0),
      ],
    },
    {
      id: 'empty-server-reconcile',
      title: 'dev server restarted on an empty database, then reconciled',
      faults: 'none',
      latency: 'inventory=1s,shipping=2s',
      expected: 'ANY',
      reconcile: true,
      during: async (run) => {
        // Once every order is charged and half are reserved: the rest of the reservations are on their way.
        await until(
          () =>
            ordersWith(run, 'payment', 'ok') === run.orders.length && ordersWith(run, 'inventory', 'ok') >= half(run),
          60_000,
        );
        const at = describeProgress(run);
        await run.lab.killAndRestartServer(1_000, { emptyDatabase: true });
        run.notes.push(`server restarted on an empty database when ${at}`);
      },
      check: (run) => [
        ...countIs('orders the server forgot', run.counts.forgotten ?? 0, run.orders.length),
        ...countIs('orders reconciled', run.counts.reconciled ?? 0, run.orders.length),
        ...countIs('undos that failed', run.counts.reconcileFailed ?? 0, 0),
      ],
    },
    {
      id: 'load',
      title: `${options.load} concurrent orders (lesson faults)`,
      faults: 'payment=0.15,inventory=0.2,shipping=0.1',
      expected: 'ANY',
      runs: 1,
      orders: options.load,
    },
  ];
}

/**
 * A forward step that answers after its StartToClose timeout, on every attempt: the step fails, the
 * saga undoes it while its last attempt is still on its way, and that attempt then arrives. The undo
 * fenced its key, so the late step is refused: once every late call has landed, nothing is charged,
 * reserved or booked for these failed orders. The first three attempts fail anyway (first:3), so only
 * the last would have taken effect.
 */
function lateCases(): CaseSpec[] {
  const latency = `${LATE_MS / 1000}s`;
  return (['06', '07'] as const).flatMap((lesson) =>
    (['payment', 'inventory', 'shipping'] as const).map((step): CaseSpec => ({
      id: `late-${step}-${lesson}`,
      title: `${step} lands after its timeout (lesson ${lesson})`,
      lesson,
      faults: `${step}=first:3`,
      latency: `${step}=${latency}`,
      expected: 'FAILED',
      runs: 1,
      orders: 3,
      check: (run, audit) => [
        ...countIs(`late ${step} calls refused`, audit.refusedLateCalls.filter((c) => c.step === step).length, 3),
        ...countIs('charges', audit.charges.length, step === 'payment' ? 0 : audit.refunds.length),
      ],
    })),
  );
}

/**
 * The re-run case: the orders fail at shipping; then each is started again through the lesson's client
 * (refused: the order ID already ran) and then bypassing it (a raw start that allows a duplicate ID),
 * which must fail at payment because the charge it would reuse was refunded.
 */
async function driveRerun(run: RunContext): Promise<Map<string, string>> {
  const handles = await Promise.all(run.orders.map((o) => startOrder(run.client, o, run.taskQueue)));
  const outcomes = await Promise.all(handles.map(({ handle }) => fulfillmentOutcome(handle)));
  const statuses = new Map(
    run.orders.map((o, i) => [parentWorkflowId(o.orderId), outcomes[i].kind.toUpperCase()] as [string, string]),
  );
  run.log(`first runs: ${[...statuses.values()].filter((s) => s === 'FAILED').length} failed; re-running each ID`);
  let refused = 0;
  for (const order of run.orders) {
    const error = await startOrder(run.client, order, run.taskQueue).then(
      () => undefined,
      (err: unknown) => err,
    );
    if (error instanceof OrderAlreadyRanError) refused++;
  }
  const reruns = await Promise.all(
    run.orders.map(async (order) => {
      const handle = await run.client.workflow.start('orderFulfillmentWorkflow', {
        taskQueue: run.taskQueue,
        workflowId: parentWorkflowId(order.orderId),
        args: [order],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
      const outcome = await fulfillmentOutcome(handle);
      return (
        outcome.kind === 'failed' &&
        outcome.message.includes('failed at payment') &&
        outcome.chain.some((link) => link.type === 'AlreadyUndone')
      );
    }),
  );
  const alreadyUndone = reruns.filter(Boolean).length;
  run.log(`client refused ${refused}/${run.orders.length}; raw re-runs failed with AlreadyUndone ${alreadyUndone}`);
  run.counts.refused = refused;
  run.counts.alreadyUndone = alreadyUndone;
  return statuses;
}

// ---- running a case ---------------------------------------------------------------------------

interface CaseResult {
  id: string;
  title: string;
  faults: string;
  runs: number;
  passed: boolean;
  problems: string[];
  notes: string[];
  orders: number;
  completed: number;
  failed: number;
  charges: number;
  refunds: number;
  orphans: number;
  stuck: number;
  shippedUnpaid: number;
  /** Steps that arrived after their undo and were refused. */
  refusedLate: number;
  workerStarts: number;
  workerPeakMiB: number;
  serverPeakMiB: number;
  /** CPU time of all the case's workers, and of its server(s). */
  workerCpuSeconds: number;
  serverCpuSeconds: number;
  seconds: number;
}

/** The audit restricted to some orders. */
function auditOf(audit: Audit, orderIds: Set<string>): Audit {
  const mine = <T extends { orderId: string }>(rows: T[]) => rows.filter((r) => orderIds.has(r.orderId));
  return {
    ...audit,
    charges: mine(audit.charges),
    refunds: mine(audit.refunds),
    reservations: mine(audit.reservations),
    releases: mine(audit.releases),
    shipments: mine(audit.shipments),
    notifications: mine(audit.notifications),
    orphanedCharges: mine(audit.orphanedCharges),
    stuckReservations: mine(audit.stuckReservations),
    shippedUnpaid: mine(audit.shippedUnpaid),
    fences: mine(audit.fences),
    refusedLateCalls: mine(audit.refusedLateCalls),
  };
}

/**
 * What must hold after any run: every order ended as expected, and the ledger agrees with how it
 * ended: a completed order is paid once, reserved and shipped; a failed one keeps nothing.
 */
function invariants(spec: CaseSpec, orders: Order[], statuses: Map<string, string>, audit: Audit): string[] {
  const problems: string[] = [];
  // A failed order keeps nothing; once reconciled, neither does one that was terminated or forgotten.
  const endsWithNothing = spec.reconcile ? ['FAILED', 'TERMINATED', 'FORGOTTEN'] : ['FAILED'];
  const byStatus = new Map<string, number>();
  for (const order of orders) {
    const status = statuses.get(orderWorkflowId(spec.lesson ?? '06', order.orderId)) ?? 'NOT FOUND';
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const charges = audit.charges.filter((c) => c.orderId === order.orderId);
    const refunded = new Set(audit.refunds.map((r) => r.chargeId));
    const liveCharges = charges.filter((c) => !refunded.has(c.chargeId)).length;
    const released = new Set(audit.releases.map((r) => r.reservationId));
    const liveReservations = audit.reservations.filter(
      (r) => r.orderId === order.orderId && !released.has(r.reservationId),
    ).length;
    const liveShipments = audit.shipments.filter((s) => s.orderId === order.orderId && !s.cancelled).length;
    const got = `${liveCharges} live charge(s), ${liveReservations} live reservation(s), ${liveShipments} live shipment(s)`;
    if (charges.length > 1) problems.push(`${order.orderId}: charged ${charges.length} times`);
    // One reservation per order, or one per warehouse it draws on (lesson 03): all of them stand.
    const reservations = audit.reservations.filter((r) => r.orderId === order.orderId).length;
    const wholeStock = liveReservations >= 1 && liveReservations === reservations;
    if (status === 'COMPLETED' && (liveCharges !== 1 || !wholeStock || liveShipments !== 1)) {
      problems.push(`${order.orderId} completed with ${got}`);
    }
    if (endsWithNothing.includes(status) && liveCharges + liveReservations + liveShipments > 0) {
      problems.push(`${order.orderId} ended ${status} with ${got}`);
    }
  }
  const ended = [...byStatus]
    .filter(([s]) => s === 'COMPLETED' || endsWithNothing.includes(s))
    .reduce((n, [, c]) => n + c, 0);
  if (ended !== orders.length) {
    const others = [...byStatus].filter(([s]) => s !== 'COMPLETED' && !endsWithNothing.includes(s));
    problems.push(`${orders.length - ended} orders did not end: ${others.map(([s, n]) => `${n} ${s}`).join(', ')}`);
  }
  if (spec.expected !== 'ANY' && (byStatus.get(spec.expected) ?? 0) !== orders.length) {
    problems.push(
      `expected every order ${spec.expected}, got ${[...byStatus].map(([s, n]) => `${n} ${s}`).join(', ')}`,
    );
  }
  if (audit.orphanedCharges.length) problems.push(`${audit.orphanedCharges.length} orphaned charges`);
  if (audit.stuckReservations.length) problems.push(`${audit.stuckReservations.length} stuck reservations`);
  if (audit.shippedUnpaid.length) problems.push(`${audit.shippedUnpaid.length} shipped but not paid`);
  return problems;
}

/** How a parent ended, from the failure its result carries. */
function closedAs(err: unknown): string {
  const cause = (err as WorkflowFailedError).cause;
  if (cause instanceof TerminatedFailure) return 'TERMINATED';
  if (cause instanceof CancelledFailure) return 'CANCELLED';
  if (cause instanceof TimeoutFailure) return 'TIMED_OUT';
  return 'FAILED';
}

/**
 * Waits until every order's parent has closed, and says how each ended. Each waits on its result (a
 * long poll the server answers when the order ends); a server that is down or restarting makes the
 * wait fail, and it is simply asked again a second later. At the deadline the orders still running are
 * terminated, so nothing keeps running after a failed case (what the ledger then shows is what
 * terminate leaves behind).
 */
async function waitForOrders(
  client: Client,
  orders: Order[],
  lesson: ChaosLesson = '06',
): Promise<Map<string, string>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), runDeadlineMs(orders.length));
  });
  const statuses = new Map<string, string>();
  try {
    await Promise.all(
      orders.map(async (order) => {
        const workflowId = orderWorkflowId(lesson, order.orderId);
        const handle = client.workflow.getHandle(workflowId);
        for (;;) {
          try {
            if ((await Promise.race([handle.result(), deadline])) === 'deadline') break;
            statuses.set(workflowId, 'COMPLETED');
            return;
          } catch (err) {
            if (err instanceof WorkflowFailedError) {
              statuses.set(workflowId, closedAs(err));
              return;
            }
            if (err instanceof WorkflowNotFoundError) {
              statuses.set(workflowId, 'FORGOTTEN'); // a server restarted on an empty database
              return;
            }
            if ((await Promise.race([sleep(1_000), deadline])) === 'deadline') break;
          }
        }
        statuses.set(workflowId, 'RUNNING at the deadline');
        await handle.terminate('chaos: run deadline').catch(() => undefined);
      }),
    );
  } finally {
    clearTimeout(timer);
  }
  return statuses;
}

async function runCase(spec: CaseSpec, options: { runs: number; orders: number }, root: string): Promise<CaseResult> {
  const started = Date.now();
  const dir = path.join(root, spec.id);
  fs.mkdirSync(dir, { recursive: true });
  const ledgerPath = path.join(dir, 'ledger.sqlite');
  const lesson = LESSONS[spec.lesson ?? '06'];
  const taskQueue = `${lesson.taskQueue}-chaos-${spec.id}`;
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
    workerFile(lesson.id as ChaosLesson),
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
        await Promise.all(
          orders.map((order) =>
            client.workflow.start(lesson.workflowType, {
              taskQueue,
              workflowId: orderWorkflowId(lesson.id, order.orderId),
              args: [order],
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
            }),
          ),
        );
        run.log(`${orders.length} orders started`);
        await spec.during?.(run);
        statuses = await waitForOrders(client, orders, lesson.id as ChaosLesson);
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

// ---- output -----------------------------------------------------------------------------------

function table(results: CaseResult[]): string {
  const header = [
    'case',
    'runs',
    'result',
    'orders',
    'charges',
    'refunds',
    'orphans',
    'stuck',
    'shipped-unpaid',
    'late refused',
    'worker RSS',
    'server RSS',
    'CPU',
    'time',
  ];
  const rows = results.map((r) => [
    r.title,
    String(r.runs),
    r.passed ? 'PASS' : 'FAIL',
    String(r.orders),
    String(r.charges),
    String(r.refunds),
    String(r.orphans),
    String(r.stuck),
    String(r.shippedUnpaid),
    String(r.refusedLate),
    `${r.workerPeakMiB} MiB`,
    `${r.serverPeakMiB} MiB`,
    `${r.workerCpuSeconds + r.serverCpuSeconds} s`,
    `${r.seconds} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 || i === 2 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
  out.push(
    'orphans: charged, not refunded, nothing shipped; stuck: reserved, not released, nothing shipped; ' +
      'late refused: steps that arrived after their undo and were refused; ' +
      "RSS: peak (VmHWM) of the largest worker / server process; CPU: all of the case's workers and servers",
  );
  for (const r of results) {
    for (const note of r.notes) out.push(`  ${r.id}: ${note}`);
    for (const problem of r.problems) out.push(`  ${r.id} FAIL: ${problem}`);
  }
  return out.join('\n');
}

/** Runs `tasks` at most `limit` at a time, keeping their order in the results. */
async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]();
      }
    }),
  );
  return results;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  const options = { runs: args.runs ?? 3, orders: args.orders ?? 10, load: args.load ?? 300 };
  const all = cases(options);
  if (args.help) {
    console.log(
      usage(
        'npm run chaos --',
        `Runs the fault matrix of lessons 06 and 07 on real dev servers with file databases and prints what survived.\nCases: ${all.map((c) => c.id).join(', ')}.`,
        FLAGS,
      ),
    );
    return 0;
  }
  const only = args.only
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only?.filter((id) => !all.some((c) => c.id === id));
  if (unknown?.length) {
    throw new UsageError(`--only: unknown case ${unknown.join(', ')}; cases: ${all.map((c) => c.id).join(', ')}`);
  }
  const chosen = only ? all.filter((c) => only.includes(c.id)) : all;
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-chaos-'));
  const started = Date.now();
  process.stderr.write(
    `chaos: ${chosen.length} cases, ${options.runs} runs of ${options.orders} orders each (load case: ${options.load} orders once), ` +
      `${args.parallel ?? 4} at a time; node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; work dir ${root}\n`,
  );
  // The load case last and alone: with the others beside it, on two cores, the server falls behind,
  // its persistence calls time out and are retried, and the retries make it worse.
  const light = chosen.filter((c) => c.id !== 'load');
  const results = await pool(
    light.map((spec) => () => runCase(spec, options, root)),
    args.parallel ?? 4,
  );
  for (const spec of chosen.filter((c) => c.id === 'load')) results.push(await runCase(spec, options, root));
  const failed = results.filter((r) => !r.passed);
  const seconds = Math.round((Date.now() - started) / 1000);
  if (args.json) {
    console.log(
      JSON.stringify(
        {
          node: process.version,
          cores: os.cpus().length,
          memGiB: Math.round(os.totalmem() / 2 ** 30),
          seconds,
          results,
        },
        null,
        2,
      ),
    );
  } else {
    console.log(`\n${table(results)}\n`);
    console.log(
      `node ${process.version}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ${seconds} s in all`,
    );
  }
  if (failed.length === 0) fs.rmSync(root, { recursive: true, force: true });
  else process.stderr.write(`servers' logs and databases kept in ${root}\n`);
  // One test per case, for CI's totals; a `failed: ` line names each failed case, as the test reporter does.
  const summary =
    failed.map((r) => `failed: ${r.title} (${r.id}): ${r.problems.join('; ')}\n`).join('') +
    `tests: ${results.length - failed.length} passed, ${failed.length} failed\n`;
  (args.json ? process.stderr : process.stdout).write(summary);
  return failed.length ? 1 : 0;
}

runMain(main);
