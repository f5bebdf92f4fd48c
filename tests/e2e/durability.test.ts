/**
 * Durability: a worker PROCESS dies (SIGKILL, no graceful shutdown) in the middle of an order, and a
 * fresh worker finishes it from the event history. Nothing done before the crash is done twice; the
 * card is charged exactly once.
 *
 *   - lesson 06: killed right after the payment child completed, while the inventory child retries;
 *   - lesson 07: killed mid-fan-out, while the payment and the inventory children both run (both in
 *     retry backoff), so two children are cut off at once.
 *
 * The first worker is each lesson's real entry point (solution/<lesson>/worker.ts) run as a child
 * process, so the kill is a real process crash, not a stopped Worker object. The kill waits for the
 * injected faults to reach the ledger and for no call to be in flight: every attempt so far has ended
 * and the next one is 0.5 s or more of backoff away. (An attempt handed to the dying worker all the
 * same is lost with it; Temporal still counts it and retries after the 10 s start-to-close timeout,
 * and the fault plan counts Temporal's attempts, so the plan holds either way.) Both lessons run at
 * the same time.
 */
import { expect } from 'chai';
import { temporal } from '@temporalio/proto';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { LESSONS, orderWorkflowId, type LessonId } from '../../common/lessons';
import type { LessonWorker } from '../../common/worker';
import { lessonWorker as worker06 } from '../../solution/06-order-fulfillment/worker';
import { lessonWorker as worker07 } from '../../solution/07-parallel-fulfillment/worker';
import { createServices, FaultPlan, Ledger, sampleOrder, type Audit, type CallRow } from '../../services';
import { freshLedgerPath, uniqueTaskQueue, withWorker, workflowBundle } from '../support/harness';
import { faulted, inFlight } from '../support/ledger-calls';
import { startTsProcess, type ProcessHandle } from '../../common/kit/processes';
import { testEnv } from '../../common/kit/server';

const { EventType } = temporal.api.enums.v1;

interface Case {
  lesson: LessonId;
  worker: LessonWorker;
  /** Attempts each step fails before it succeeds; the same plan for the worker that dies and the one after. */
  faults: string;
  /** When to kill the first worker, read from the ledger and the parent's history. */
  killWhen: (calls: CallRow[], events: temporal.api.history.v1.IHistoryEvent[]) => boolean;
  /** How many attempts of each step the fault plan fails before one succeeds. */
  failing: Record<'payment' | 'inventory', number>;
}

const childCompleted = (events: temporal.api.history.v1.IHistoryEvent[], type: string) =>
  events.some((e) => e.childWorkflowExecutionCompletedEventAttributes?.workflowType?.name === type);

const CASES: Case[] = [
  {
    lesson: '06',
    worker: worker06,
    faults: 'inventory=first:3',
    killWhen: (calls, events) =>
      childCompleted(events, 'paymentWorkflow') && faulted(calls, 'inventory') && !inFlight(calls),
    failing: { payment: 0, inventory: 3 },
  },
  {
    lesson: '07',
    worker: worker07,
    faults: 'payment=first:3,inventory=first:3',
    killWhen: (calls) => faulted(calls, 'payment') && faulted(calls, 'inventory') && !inFlight(calls),
    failing: { payment: 3, inventory: 3 },
  },
];

interface Outcome {
  result: { status: string; steps: { state: string }[] };
  /** The parent's history at the moment of the kill. */
  atKill: temporal.api.history.v1.IHistoryEvent[];
  history: temporal.api.history.v1.IHistoryEvent[];
  audit: Audit;
  calls: CallRow[];
  signal: string | null;
}

const CLOSED = new Set([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
]);

/** Start an order on the lesson's worker process, kill the process at `killWhen`, finish on a new worker. */
async function crashAndRecover(c: Case, started: ProcessHandle[]): Promise<Outcome> {
  const env = testEnv();
  const lessonWorker = c.worker;
  const taskQueue = uniqueTaskQueue(`durability-${c.lesson}`);
  const ledgerPath = freshLedgerPath(`durability-${c.lesson}`);
  const order = sampleOrder(`ORDER-DUR${c.lesson}-${randomUUID().slice(0, 8)}`);
  // The recovering worker's bundle is built while the first worker starts.
  const bundled = workflowBundle(lessonWorker.workflowsPath);

  // 1. The lesson's own worker, as a separate process.
  const worker = startTsProcess(path.join('solution', LESSONS[c.lesson].folder, 'worker.ts'), {
    TEMPORAL_ADDRESS: env.address,
    TASK_QUEUE: taskQueue,
    LEDGER_PATH: ledgerPath,
    ORDER_FAULTS: c.faults,
    ORDER_LATENCY: '',
  });
  started.push(worker);
  await worker.waitFor('worker polling', 90_000);

  // 2. Start the order and watch the ledger (written by the worker process) and the parent's history.
  const handle = await env.client.workflow.start(LESSONS[c.lesson].workflowType, {
    taskQueue,
    workflowId: orderWorkflowId(c.lesson, order.orderId),
    args: [order],
    // A bound on the whole order: if recovery is broken, the test fails with a timeout, not a hang.
    workflowExecutionTimeout: '90 seconds',
  });
  const ledger = Ledger.open(ledgerPath);
  let atKill: temporal.api.history.v1.IHistoryEvent[];
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const events = (await handle.fetchHistory()).events ?? [];
      if (c.killWhen(ledger.calls(), events)) break;
      const end = events.find((e) => e.eventType != null && CLOSED.has(e.eventType));
      if (end) throw new Error(`the order ended (${EventType[end.eventType!]}) before the moment to kill the worker`);
      if (Date.now() > deadline) throw new Error(`never reached the moment to kill the worker:\n${worker.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // 3. Crash: no graceful shutdown, no chance to finish anything in flight.
    await worker.kill();
    atKill = (await handle.fetchHistory()).events ?? [];
  } finally {
    ledger.close();
  }
  expect((await handle.describe()).status.name, 'the order after the crash').to.equal('RUNNING');

  // 4. A new worker on the same task queue and ledger, with the same fault plan. The plan counts
  //    Temporal's attempts, so each child carries on exactly where it was.
  const services = createServices({ ledger: Ledger.open(ledgerPath), faults: FaultPlan.parse(c.faults) });
  try {
    await bundled;
    const result = await withWorker(
      { taskQueue, workflowsPath: lessonWorker.workflowsPath, activities: lessonWorker.createActivities(services) },
      () => handle.result() as Promise<Outcome['result']>,
    );
    return {
      result,
      atKill,
      history: (await handle.fetchHistory()).events ?? [],
      audit: services.ledger.audit(),
      calls: services.ledger.calls(),
      signal: worker.child.signalCode,
    };
  } finally {
    services.close();
  }
}

/** Child workflow events in the parent's history, by child type: initiated and (if so) closed event IDs. */
function childEvents(events: temporal.api.history.v1.IHistoryEvent[]) {
  const byInitiated = new Map<number, string>();
  const spans: Record<string, { started?: boolean; initiated?: number; closed?: number }> = {};
  for (const e of events) {
    const id = Number(e.eventId);
    const init = e.startChildWorkflowExecutionInitiatedEventAttributes;
    if (init) {
      const type = init.workflowType?.name ?? '';
      byInitiated.set(id, type);
      spans[type] = { initiated: id };
    }
    const started = e.childWorkflowExecutionStartedEventAttributes;
    if (started) spans[byInitiated.get(Number(started.initiatedEventId))!].started = true;
    for (const closed of [
      e.childWorkflowExecutionCompletedEventAttributes,
      e.childWorkflowExecutionFailedEventAttributes,
      e.childWorkflowExecutionCanceledEventAttributes,
    ]) {
      if (closed) spans[byInitiated.get(Number(closed.initiatedEventId))!].closed = id;
    }
  }
  return spans;
}

describe('durability: a worker process killed mid-order, for lessons 06 and 07', function () {
  // Spawning ts-node and bundling the workflows in each child process takes 10-20 s on a small machine.
  this.timeout(150_000);

  const started: ProcessHandle[] = [];
  const outcomes = new Map<LessonId, Outcome>();
  before(async () => {
    try {
      const results = await Promise.all(CASES.map((c) => crashAndRecover(c, started)));
      CASES.forEach((c, i) => outcomes.set(c.lesson, results[i]));
    } finally {
      await Promise.all(started.map((p) => p.kill()));
    }
  });

  for (const c of CASES) {
    it(`lesson ${c.lesson}: finishes the order on a new worker after SIGKILL, with exactly one charge`, () => {
      const o = outcomes.get(c.lesson)!;
      expect(o.signal).to.equal('SIGKILL');
      expect(o.result.status).to.equal('COMPLETED');
      expect(o.result.steps.map((s) => s.state)).to.deep.equal(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
      const a = o.audit;
      expect(a.charges, 'charges').to.have.length(1);
      expect(a.refunds, 'refunds').to.have.length(0);
      expect(a.reservations, 'reservations').to.have.length(1);
      expect(a.releases, 'releases').to.have.length(0);
      expect(a.shipments, 'shipments').to.have.length(1);
      expect(a.orphanedCharges).to.have.length(0);
      expect(a.stuckReservations).to.have.length(0);
      expect(a.shippedUnpaid).to.have.length(0);
      // Across both workers each step met its planned faults, then succeeded exactly once: nothing was
      // run again after the crash. (An attempt handed to the worker as it died counts for Temporal, and
      // so for the fault plan, but never reaches the ledger: then the ledger shows one fault fewer.)
      for (const step of ['payment', 'inventory'] as const) {
        const outcomes = o.calls.filter((call) => call.step === step).map((call) => call.outcome);
        const summary = `${step} calls: ${outcomes.join(', ')}`;
        const faults = outcomes.slice(0, -1);
        expect(outcomes[outcomes.length - 1], summary).to.equal('ok');
        expect(
          faults.every((outcome) => outcome === 'fault'),
          summary,
        ).to.equal(true);
        expect(faults.length, summary).to.be.within(Math.max(0, c.failing[step] - 1), c.failing[step]);
      }
    });
  }

  it('lesson 07: the kill came mid-fan-out, with both children started and neither finished', () => {
    const atKill = childEvents(outcomes.get('07')!.atKill);
    for (const type of ['paymentWorkflow', 'inventoryWorkflow']) {
      expect(atKill[type]?.started, `${type} started before the kill`).to.equal(true);
      expect(atKill[type]?.closed, `${type} closed before the kill`).to.equal(undefined);
    }
    const after = childEvents(outcomes.get('07')!.history);
    expect(after.shippingWorkflow.initiated).to.be.above(
      Math.max(after.paymentWorkflow.closed!, after.inventoryWorkflow.closed!),
    );
  });
});
