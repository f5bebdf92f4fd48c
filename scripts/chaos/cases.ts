/**
 * The case table of `npm run chaos`: what each case breaks, when, and what it checks beyond the
 * invariants every run has (scripts/chaos/invariants.ts). Every case names the lesson it runs.
 */
import { LESSONS, orderWorkflowId } from '../../common/lessons';
import { durationMs } from '../../common/kit/duration';
import { until } from '../../common/kit/wait';
import type { Audit } from '../../services';
import { STEP_OPTIONS } from '../../solution/06-order-fulfillment/workflows/options';
import type { CaseSpec, RunContext } from './case';
import { callsOf, describeProgress, ordersWith } from './progress';
import { driveRerun } from './rerun';

/** Longer than a forward step's StartToClose timeout, with room to spare: every attempt answers late. */
const LATE_MS = durationMs(STEP_OPTIONS.startToCloseTimeout!) + 5_000;

const half = (run: RunContext) => Math.ceil(run.orders.length / 2);

/**
 * The cases that end with `npm run reconcile`: lesson 06 without faults, its steps slow enough that an
 * order cut off mid-flight still has a reservation on its way.
 */
const RECONCILED = {
  lesson: '06',
  faults: 'none',
  latency: 'inventory=1s,shipping=2s',
  expected: 'ANY',
  reconcile: true,
} as const satisfies Partial<CaseSpec>;

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

/** Kills the worker once `ready` holds (or after 60 s), starts a new one, and notes what it cut off. */
async function killWorkerWhen(run: RunContext, what: string, ready: () => boolean): Promise<void> {
  const [worker] = run.lab.workers;
  const inTime = await until(ready, { timeoutMs: 60_000 });
  if (!inTime) run.notes.push(`run ${run.run}: the moment to kill (${what}) never came`);
  const at = describeProgress(run);
  await run.lab.killWorker(worker);
  run.log(`worker pid ${worker.pid} killed with SIGKILL ${what} (${at}); starting a new one`);
  const next = await run.lab.startWorker();
  run.log(`new worker pid ${next.pid} polling`);
}

/** Lesson 06 with `step` failing its first attempts, and the worker killed while half the orders retry it. */
function killDuringRetries(step: 'payment' | 'inventory', rule: string): CaseSpec {
  return {
    id: `kill-${step}`,
    title: `kill -9 worker during ${step} retries`,
    lesson: '06',
    faults: `${step}=${rule}`,
    expected: 'COMPLETED',
    during: (run) => killWorkerWhen(run, `during ${step} retries`, () => ordersWith(run, step, 'fault') >= half(run)),
  };
}

/** Lesson 06 with shipping always failing and one undo failing five calls before it recovers. */
function undoRecovers(step: 'refund' | 'release'): CaseSpec {
  return {
    id: `${step}-recovers`,
    title: `${step} fails for a while, then recovers`,
    lesson: '06',
    faults: `shipping=always,${step}=first:5`,
    expected: 'FAILED',
    check: (run, audit) => [
      ...fullyUndone(run, audit),
      // Five failed calls, then the one that did the undo: per order, over two rounds.
      ...countIs(`${step} calls`, callsOf(run, step).length, 6 * run.orders.length),
    ],
  };
}

export function cases(options: { load: number }): CaseSpec[] {
  return [
    killDuringRetries('payment', 'first:2'),
    killDuringRetries('inventory', 'first:3'),
    {
      id: 'kill-compensation',
      title: 'kill -9 worker during compensation',
      lesson: '06',
      faults: 'shipping=always,refund=first:4',
      expected: 'FAILED',
      during: (run) => killWorkerWhen(run, 'during compensation', () => ordersWith(run, 'release') >= half(run)),
      check: fullyUndone,
    },
    {
      id: 'kill-server',
      title: 'dev server SIGKILL + restart on its DB',
      lesson: '06',
      faults: 'inventory=first:2',
      expected: 'COMPLETED',
      during: async (run) => {
        await until(() => ordersWith(run, 'payment', 'ok') >= half(run), { timeoutMs: 60_000 });
        const at = describeProgress(run);
        run.log(`killing the server (${at})`);
        await run.lab.killAndRestartServer(1_000);
        run.restartedAt = Date.now();
        run.notes.push(`server killed when ${at}`);
      },
    },
    undoRecovers('refund'),
    undoRecovers('release'),
    {
      id: 'cancel-recovers',
      title: 'cancelShipment fails for a while, then recovers',
      lesson: '06',
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
      // Lesson 06's own client is the one that refuses a re-run (OrderAlreadyRanError).
      lesson: '06',
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
      ...RECONCILED,
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
        if (!(await until(() => reserving() === doomed.length, { timeoutMs: 60_000 }))) {
          run.notes.push('not every order to terminate had its reservation on its way in time');
        }
        await Promise.all(
          doomed.map((o) =>
            run.client.workflow
              .getHandle(orderWorkflowId(run.spec.lesson, o.orderId))
              .terminate('chaos: terminated mid-flight'),
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
      ...RECONCILED,
      during: async (run) => {
        // Once every order is charged and half are reserved: the rest of the reservations are on their way.
        await until(
          () =>
            ordersWith(run, 'payment', 'ok') === run.orders.length && ordersWith(run, 'inventory', 'ok') >= half(run),
          { timeoutMs: 60_000 },
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
      lesson: '06',
      faults: LESSONS['06'].defaultFaults,
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
