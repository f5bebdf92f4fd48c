/**
 * Lesson 07 solution, end to end, one interleaving per case: the real parent and children on the real
 * dev server, a fresh ledger per case, seeded faults and simulated latency to fix who finishes first.
 * Every case is started at once in one `before` (they mostly wait on latency and retry backoff), then
 * each `it` checks what Temporal reports (result, status query, the parent's history) against what the
 * outside world saw (the ledger): no orphaned charge, no stuck reservation, nothing shipped unpaid,
 * and every registered undo run exactly once.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { childWorkflowIdOf } from '../../common/lessons';
import type { OrderOutcome } from '../../common/client';
import {
  CATALOG,
  FaultPlan,
  LatencyPlan,
  sampleOrder,
  type Audit,
  type CallRow,
  type Order,
  type Services,
} from '../../services';
import { createActivities } from '../../solution/06-order-fulfillment/activities';
import { fulfillmentOutcome, queryStatus, startOrder } from '../../solution/07-parallel-fulfillment/client';
import type { OrderResult, OrderStatus } from '../../solution/07-parallel-fulfillment/shared';
import { eager } from '../support/eager';
import { freshServices, SharedWorker, type Delivery } from '../support/harness';
import { expectEachAttemptReachedService } from '../support/attempts';
import { STEP_OPTIONS } from '../../solution/06-order-fulfillment/workflows/options';
import { testEnv } from '../../common/kit/server';

const WORKFLOWS = path.resolve(__dirname, '../../solution/07-parallel-fulfillment/workflows');

interface Case {
  faults: string;
  latency?: string;
  order?: (order: Order) => void;
  /** Runs while the order runs (e.g. cancel it at the right moment); what it returns is kept as `seen`. */
  during?: (handle: WorkflowHandle, calls: () => CallRow[]) => Promise<unknown>;
}

interface Run {
  orderId: string;
  outcome: OrderOutcome<OrderResult>;
  /** The parent's `status` after the order ended. */
  status: OrderStatus;
  /** Every distinct parent state `status` reported while the order ran, in order. */
  states: string[];
  /** What the case's `during` hook saw, if anything. */
  seen?: unknown;
  /** How each child workflow ended, as the server describes it. */
  children: Record<string, string>;
  history: temporal.api.history.v1.IHistory;
  audit: Audit;
  calls: CallRow[];
  /** Date.now() when the order started. */
  startedAt: number;
  /** The activity tasks the worker ran for this order. */
  deliveries: Delivery[];
}

/**
 * One worker serves every case (../support/harness.ts SharedWorker): each order has its own ledger,
 * faults and latency, and each activity call is routed to the services of the order it belongs to.
 */
const worker = new SharedWorker(WORKFLOWS, Object.keys(createActivities({} as Services)), 'solution-07');

async function run(label: string, c: Case, taskQueue: string): Promise<Run> {
  const services = freshServices(FaultPlan.parse(c.faults), undefined, LatencyPlan.parse(c.latency ?? ''));
  const client = testEnv().client;
  const order = sampleOrder(`ORDER-${label}-${randomUUID().slice(0, 8)}`);
  c.order?.(order);
  worker.route(order.orderId, createActivities(services));
  try {
    const startedAt = Date.now();
    const { handle } = await startOrder(client, order, taskQueue);
    const outcome = fulfillmentOutcome(handle);
    let ended = false;
    void outcome.finally(() => (ended = true));
    const states: string[] = [];
    const watching = (async () => {
      while (!ended) {
        const state = await queryStatus(handle).then(
          (s) => s.state,
          () => undefined,
        );
        if (state && states[states.length - 1] !== state) states.push(state);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const seen = await c.during?.(handle, () => services.ledger.calls());
    const result = await outcome;
    await watching;
    const children: Record<string, string> = {};
    for (const kind of ['payment', 'inventory', 'shipping', 'notification']) {
      children[kind] = await client.workflow
        .getHandle(childWorkflowIdOf('07', kind, order.orderId))
        .describe()
        .then(
          (d) => d.status.name,
          () => 'never started',
        );
    }
    return {
      orderId: order.orderId,
      outcome: result,
      status: await queryStatus(handle),
      states,
      seen,
      children,
      history: await handle.fetchHistory(),
      audit: services.ledger.audit(),
      calls: services.ledger.calls(),
      startedAt,
      deliveries: worker.deliveries(order.orderId),
    };
  } finally {
    services.close();
  }
}

/**
 * Polls the ledger until every step in `steps` has a call in flight (its latency is still running).
 * The bound is generous: on a busy machine the children may take a while to reach their activities.
 */
async function whileInFlight(calls: () => CallRow[], steps: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!steps.every((step) => calls().some((c) => c.step === step && c.outcome === 'started'))) {
    if (Date.now() > deadline)
      throw new Error(`never saw ${steps.join(' and ')} in flight: ${JSON.stringify(calls())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const outOfStock = (order: Order) => {
  const camera = CATALOG.find((entry) => entry.sku === 'VINTAGE-CAMERA')!;
  order.items.push({ sku: camera.sku, name: camera.name, quantity: 1, unitPriceCents: camera.priceCents });
};
const declined = (order: Order) => (order.paymentToken = 'tok_declined');

const CASES = {
  // Both answer after 2 s; while both calls are in flight, the parent is asked for its status.
  happy: {
    faults: 'none',
    latency: 'payment=2s,inventory=2s',
    during: async (handle: WorkflowHandle, calls: () => CallRow[]) => {
      await whileInFlight(calls, ['payment', 'inventory']);
      return queryStatus(handle);
    },
  },
  // The decline is immediate; the reservation is still on its way for 3 s.
  declinedWhileReserving: { faults: 'none', latency: 'inventory=3s', order: declined },
  // The charge goes through at once; 3 s later the inventory system says one item is out of stock.
  inventoryFailsAfterPayment: { faults: 'none', latency: 'inventory=3s', order: outOfStock },
  // Both fail: the card is declined and an item is out of stock, both answers after 3 s, so both calls
  // are under way before either fails (a call already made cannot be cancelled).
  bothFail: {
    faults: 'none',
    latency: 'payment=3s,inventory=3s',
    order: (o: Order) => {
      declined(o);
      outOfStock(o);
    },
  },
  // Both fail after their effect landed: every attempt charges / reserves, then reports a timeout.
  bothFailAfterEffect: { faults: 'payment=after:4,inventory=after:4', latency: 'inventory=100ms' },
  // Cancelled while both calls are in flight: neither can be called back, so both children complete; the
  // cancelled parent starts nothing more (its shipping undo is registered, the child never starts) and
  // undoes both.
  cancelledMidFanOut: {
    faults: 'none',
    latency: 'payment=3s,inventory=3s',
    during: async (handle: WorkflowHandle, calls: () => CallRow[]) => {
      await whileInFlight(calls, ['payment', 'inventory']);
      await handle.cancel();
    },
  },
  // After the join: shipping gives up, and everything is undone newest first.
  shippingFails: { faults: 'shipping=always' },
} satisfies Record<string, Case>;

type Runs = Record<keyof typeof CASES, Run>;

function undos(run: Run) {
  return run.status.compensations.map(({ name, outcome }) => ({ name, outcome }));
}

function steps(run: Run) {
  return Object.fromEntries(Object.entries(run.status.children).map(([kind, c]) => [kind, c.state]));
}

/** Event IDs in the parent's history: when each child closed, and when the first undo was scheduled. */
function timeline(run: Run) {
  const events = run.history.events ?? [];
  const typeOf = new Map<number, string>();
  const closed: Record<string, number> = {};
  const started: Record<string, number> = {};
  let firstUndo: number | undefined;
  for (const e of events) {
    const id = Number(e.eventId);
    const init = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (init) {
      const kind = String(init.workflowType?.name).replace('Workflow', '');
      typeOf.set(id, kind);
      started[kind] = id;
    }
    for (const attrs of [
      e.childWorkflowExecutionCompletedEventAttributes,
      e.childWorkflowExecutionFailedEventAttributes,
      e.childWorkflowExecutionCanceledEventAttributes,
    ]) {
      if (attrs) closed[typeOf.get(Number(attrs.initiatedEventId))!] = id;
    }
    const activity = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (firstUndo === undefined && activity && /refund|release|cancel/.test(activity)) firstUndo = id;
  }
  return { started, closed, firstUndo };
}

/** Which of payment and inventory closed first, read from the parent's history. */
function firstToClose(run: Run): string {
  const { closed } = timeline(run);
  return closed.payment < closed.inventory ? 'payment' : 'inventory';
}

/** The activity that calls each forward step's service. */
const ACTIVITY_OF_STEP: Record<string, string> = {
  payment: 'chargePayment',
  inventory: 'reserveInventory',
  shipping: 'arrangeShipment',
};

/** A forward step that failed on every attempt reached its service once per attempt (../support/attempts). */
function expectEveryAttemptCalled(run: Run, step: string) {
  const activity = ACTIVITY_OF_STEP[step];
  expectEachAttemptReachedService({
    what: `${step} (${activity})`,
    calls: run.calls.filter((c) => c.step === step),
    deliveries: run.deliveries.filter((d) => d.activity === activity),
    options: STEP_OPTIONS,
    startedAt: run.startedAt,
  });
}

/** What every case must leave behind: a clean ledger and each registered undo called exactly once. */
function expectCleanLedger(run: Run) {
  const a = run.audit;
  expect(a.orphanedCharges, 'orphaned charges').to.have.length(0);
  expect(a.stuckReservations, 'stuck reservations').to.have.length(0);
  expect(a.shippedUnpaid, 'shipped but not paid').to.have.length(0);
  const calls = (step: string) => run.calls.filter((c) => c.step === step).length;
  for (const record of run.status.compensations) {
    const step = { 'refund payment': 'refund', 'release inventory': 'release', 'cancel shipment': 'cancelShipment' }[
      record.name
    ]!;
    expect(calls(step), `${record.name} calls`).to.equal(1);
  }
}

describe('lesson 07 solution: every interleaving of the fan-out, against the real dev server and ledger', function () {
  this.timeout(120_000);

  // Every case starts when the run begins (see tests/support/eager.ts) and runs alongside the others.
  const all = eager(this, async () => {
    const entries = await worker.use(() =>
      Promise.all(
        Object.entries(CASES).map(
          async ([label, c]) => [label, await run(label, c as Case, worker.taskQueue)] as const,
        ),
      ),
    );
    return Object.fromEntries(entries) as Runs;
  });
  let runs: Runs;
  before(async () => {
    runs = await all();
  });

  it('happy path: both children start before either finishes, shipping after both, one of everything', () => {
    const r = runs.happy;
    expect(r.outcome.kind).to.equal('completed');
    const t = timeline(r);
    expect(t.started.inventory, 'inventory started before payment closed').to.be.below(t.closed.payment);
    expect(t.started.payment, 'payment started before inventory closed').to.be.below(t.closed.inventory);
    expect(t.started.shipping).to.be.above(Math.max(t.closed.payment, t.closed.inventory));
    expect(t.started.notification).to.be.above(t.closed.shipping);
    // Asked while both calls were in flight, the parent says it waits for both.
    const during = r.seen as OrderStatus;
    expect(during.state).to.equal('PAYMENT_AND_INVENTORY');
    expect(during.children.payment.state).to.equal('RUNNING');
    expect(during.children.inventory.state).to.equal('RUNNING');
    expect(r.states).to.include('PAYMENT_AND_INVENTORY');
    expect(r.status.state).to.equal('COMPLETED');
    expect(r.audit.charges).to.have.length(1);
    expect(r.audit.reservations).to.have.length(1);
    expect(r.audit.shipments).to.have.length(1);
    expect(r.audit.notifications).to.have.length(1);
    expect(r.audit.refunds.length + r.audit.releases.length).to.equal(0);
    expect(undos(r)).to.deep.equal([]);
    expectCleanLedger(r);
  });

  it('payment declined at once while the reservation is in flight: waits for it to land, then releases it', () => {
    const r = runs.declinedWhileReserving;
    expect(r.outcome.kind).to.equal('failed');
    expect((r.outcome as { message: string }).message).to.match(/failed at payment: card declined/);
    expect(undos(r)).to.deep.equal([
      { name: 'release inventory', outcome: 'done' },
      { name: 'refund payment', outcome: 'nothing to undo' },
    ]);
    expect(steps(r)).to.include({ payment: 'FAILED', inventory: 'COMPENSATED', shipping: 'PENDING' });
    // The reservation landed after the decline (its call could not be called back) and was released once.
    expect(r.calls.filter((c) => c.step === 'inventory').map((c) => c.outcome)).to.deep.equal(['ok']);
    expect(r.audit.reservations).to.have.length(1);
    expect(r.audit.releases).to.have.length(1);
    expect(r.audit.charges).to.have.length(0);
    // Read from the parent's history: the inventory child had closed before the first undo was scheduled.
    const t = timeline(r);
    expect(t.closed.inventory).to.be.below(t.firstUndo!);
    expectCleanLedger(r);
  });

  it('inventory fails after the payment went through: the payment is refunded exactly once', () => {
    const r = runs.inventoryFailsAfterPayment;
    expect((r.outcome as { message: string }).message).to.match(/failed at inventory: out of stock: VINTAGE-CAMERA/);
    expect(undos(r)).to.deep.equal([
      { name: 'release inventory', outcome: 'nothing to undo' },
      { name: 'refund payment', outcome: 'done' },
    ]);
    expect(steps(r)).to.include({ payment: 'COMPENSATED', inventory: 'FAILED' });
    const t = timeline(r);
    expect(t.closed.payment, 'payment completed first').to.be.below(t.closed.inventory);
    expect(r.audit.charges).to.have.length(1);
    expect(r.audit.refunds).to.have.length(1);
    expect(r.audit.refunds[0].chargeId).to.equal(r.audit.charges[0].chargeId);
    expectCleanLedger(r);
  });

  it('both fail: the first failure is the reason, the other is still awaited, and there is nothing to undo', () => {
    const r = runs.bothFail;
    const reasons = { payment: 'card declined', inventory: 'out of stock: VINTAGE-CAMERA' };
    const first = firstToClose(r) as keyof typeof reasons;
    expect((r.outcome as { message: string }).message).to.contain(`failed at ${first}: ${reasons[first]}`);
    expect(steps(r)).to.include({ payment: 'FAILED', inventory: 'FAILED' });
    expect(r.children).to.include({ payment: 'FAILED', inventory: 'FAILED', shipping: 'never started' });
    expect(undos(r)).to.deep.equal([
      { name: 'release inventory', outcome: 'nothing to undo' },
      { name: 'refund payment', outcome: 'nothing to undo' },
    ]);
    expect(Math.max(timeline(r).closed.payment, timeline(r).closed.inventory)).to.be.below(timeline(r).firstUndo!);
    expect(r.audit.charges.length + r.audit.reservations.length).to.equal(0);
    expectCleanLedger(r);
  });

  it('both fail after their effects landed: the charge and the reservation are each undone exactly once', () => {
    const r = runs.bothFailAfterEffect;
    // Whichever gave up first is the reason (payment's last attempt comes first, 0.1 s before inventory's).
    const first = firstToClose(r);
    expect((r.outcome as { message: string }).message).to.contain(`failed at ${first}: ${first} service timed out`);
    expect(undos(r)).to.deep.equal([
      { name: 'release inventory', outcome: 'done' },
      { name: 'refund payment', outcome: 'done' },
    ]);
    expectEveryAttemptCalled(r, first);
    const firstCalls = r.calls.filter((c) => c.step === first);
    expect(firstCalls.map((c) => c.outcome)).to.deep.equal(firstCalls.map(() => 'fault-after-effect'));
    expect(r.audit.charges).to.have.length(1);
    expect(r.audit.refunds).to.have.length(1);
    expect(r.audit.reservations).to.have.length(1);
    expect(r.audit.releases).to.have.length(1);
    expectCleanLedger(r);
  });

  it('order cancelled mid-fan-out: both in-flight calls land, both are undone, the order ends CANCELLED', () => {
    const r = runs.cancelledMidFanOut;
    expect(r.outcome.kind).to.equal('cancelled');
    expect(r.status.state).to.equal('CANCELLED');
    expect(undos(r)).to.deep.equal([
      { name: 'cancel shipment', outcome: 'nothing to undo' },
      { name: 'release inventory', outcome: 'done' },
      { name: 'refund payment', outcome: 'done' },
    ]);
    expect(r.children).to.include({ payment: 'COMPLETED', inventory: 'COMPLETED', shipping: 'never started' });
    expect(steps(r)).to.include({ payment: 'COMPENSATED', inventory: 'COMPENSATED' });
    const t = timeline(r);
    expect(Math.max(t.closed.payment, t.closed.inventory)).to.be.below(t.firstUndo!);
    expect(r.calls.filter((c) => c.step === 'shipping')).to.have.length(0);
    expect(r.audit.refunds).to.have.length(1);
    expect(r.audit.releases).to.have.length(1);
    expectCleanLedger(r);
  });

  it('shipping fails after the join: cancel shipment, release inventory, refund payment, newest first', () => {
    const r = runs.shippingFails;
    expect((r.outcome as { message: string }).message).to.match(/failed at shipping: shipping service unavailable/);
    expect(undos(r)).to.deep.equal([
      { name: 'cancel shipment', outcome: 'nothing to undo' },
      { name: 'release inventory', outcome: 'done' },
      { name: 'refund payment', outcome: 'done' },
    ]);
    expect(steps(r)).to.deep.equal({
      payment: 'COMPENSATED',
      inventory: 'COMPENSATED',
      shipping: 'FAILED',
      notification: 'PENDING',
    });
    expectEveryAttemptCalled(r, 'shipping');
    expectCleanLedger(r);
  });
});
