/**
 * Records the event histories that tests/integration/replay-06.test.ts and replay-07.test.ts replay:
 *
 *   tests/fixtures/histories/06-happy-path.json    ORDER-001, no faults: the order completes
 *   tests/fixtures/histories/06-compensation.json  ORDER-001, shipping always fails: the parent
 *                                                  releases the stock and refunds the card
 *   tests/fixtures/histories/07-happy-path.json    lesson 07, ORDER-001, no faults: payment and
 *                                                  inventory side by side, then shipping, notification
 *   tests/fixtures/histories/07-compensation.json  lesson 07, ORDER-001, the card declined while the
 *                                                  reservation takes 1 s: the parent cancels inventory,
 *                                                  waits for it, then releases the stock
 *   tests/fixtures/histories/08-v1-completed.json  lesson 08, ORDER-001 on build v1 (workflows/v1.ts),
 *                                                  completed: validate, charge, reserve, ship
 *   tests/fixtures/histories/08-v1-in-flight.json  lesson 08, ORDER-002 on build v1, recorded while its
 *                                                  shipment is still on its way (an order in flight)
 *   tests/fixtures/histories/08-v2-new-order.json  lesson 08, ORDER-003 on build v2: the `fraud-check`
 *                                                  patch marker, then the new flow
 *   tests/fixtures/histories/08-v3-new-order.json  lesson 08, ORDER-004 on build v3 (deprecatePatch)
 *
 * Each file is the PARENT's history (order-ORDER-001; lesson 08: order-08-ORDER-00N) exactly as
 * `temporal workflow show --output json` prints it (the same form as the Web UI's download), written by
 * that command. Lesson 08's recordings are the replay test's: each build must replay those of the build
 * it replaces (exercises/08-versioning/replay.ts).
 *
 * Re-record after an intentional change to the parent workflow's command sequence, and only then:
 * the point of the fixtures is that an unintentional change fails the replay test.
 *
 *   npx ts-node scripts/maintainer/record-histories.ts        # every recording
 *   npx ts-node scripts/maintainer/record-histories.ts 07     # only lesson 07's
 *
 * It starts its own throwaway dev server (the same way the tests do), so nothing else needs to run.
 */
import { Client, WorkflowFailedError } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createLessonWorker } from '../../common/worker';
import { LESSONS, orderWorkflowId } from '../../common/lessons';
import type { LessonWorker } from '../../common/worker';
import { FaultPlan, LatencyPlan, REPO_ROOT, sampleOrder, type Order } from '../../services';
import type { OrderResult } from '../../solution/06-order-fulfillment/shared';
import { lessonWorkerOf } from '../../common/kit/lesson-code';

import { freshServices, workflowBundle } from '../../common/kit/scratch';
import { startTestServer, stopTestServer } from '../../common/kit/server';

/** Where the recorded histories live (tests/support/histories.ts reads them from there). */
const HISTORIES_DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'histories');
import { ensureTemporalCli } from '../../common/kit/temporal-cli';
import { runMain } from '../../common/cli';

/** A fixed identity instead of `pid@hostname`, so the committed files say nothing about the machine. */
const IDENTITY = 'record-histories';

interface Recording {
  file: string;
  lesson: LessonWorker;
  faults: string;
  latency?: string;
  order?: Partial<Order>;
  expect: 'COMPLETED' | 'FAILED';
  /** The order ID (default ORDER-001). */
  orderId?: string;
  /** The workflow ID (default the lesson-06 parent's, order-<orderId>). */
  workflowId?: (orderId: string) => string;
  /** The workflows to run, when not the lesson worker's (lesson 08: one build). */
  workflowsPath?: string;
  /** Record the history as soon as this activity is scheduled (an order in flight), then let it finish. */
  inFlightAt?: string;
}

/** Lesson 08's builds, from the solution. */
const BUILD_08 = (build: string) => path.join(REPO_ROOT, 'solution', LESSONS['08'].folder, 'workflows', `${build}.ts`);
const ID_06 = (orderId: string) => orderWorkflowId('06', orderId);
const ID_08 = (orderId: string) => orderWorkflowId('08', orderId);

const RECORDINGS: Recording[] = [
  { file: '06-happy-path.json', lesson: lessonWorkerOf('06'), faults: 'none', expect: 'COMPLETED' },
  { file: '06-compensation.json', lesson: lessonWorkerOf('06'), faults: 'shipping=always', expect: 'FAILED' },
  {
    file: '07-happy-path.json',
    lesson: lessonWorkerOf('07'),
    faults: 'none',
    latency: 'inventory=300ms',
    expect: 'COMPLETED',
  },
  {
    file: '07-compensation.json',
    lesson: lessonWorkerOf('07'),
    faults: 'none',
    latency: 'inventory=1s',
    order: { paymentToken: 'tok_declined' },
    expect: 'FAILED',
  },
  {
    file: '08-v1-completed.json',
    lesson: lessonWorkerOf('08'),
    workflowsPath: BUILD_08('v1'),
    workflowId: ID_08,
    faults: 'none',
    expect: 'COMPLETED',
  },
  {
    file: '08-v1-in-flight.json',
    lesson: lessonWorkerOf('08'),
    workflowsPath: BUILD_08('v1'),
    workflowId: ID_08,
    orderId: 'ORDER-002',
    faults: 'none',
    latency: 'shipping=1s',
    inFlightAt: 'arrangeShipment',
    expect: 'COMPLETED',
  },
  {
    file: '08-v2-new-order.json',
    lesson: lessonWorkerOf('08'),
    workflowsPath: BUILD_08('v2'),
    workflowId: ID_08,
    orderId: 'ORDER-003',
    faults: 'none',
    expect: 'COMPLETED',
  },
  {
    file: '08-v3-new-order.json',
    lesson: lessonWorkerOf('08'),
    workflowsPath: BUILD_08('v3'),
    workflowId: ID_08,
    orderId: 'ORDER-004',
    faults: 'none',
    expect: 'COMPLETED',
  },
];

async function record(recording: Recording): Promise<string> {
  const env = await startTestServer();
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', identity: IDENTITY });
  const services = freshServices(
    FaultPlan.parse(recording.faults),
    undefined,
    LatencyPlan.parse(recording.latency ?? ''),
  );
  const order: Order = { ...sampleOrder(recording.orderId ?? 'ORDER-001'), ...recording.order };
  const workflowId = (recording.workflowId ?? ID_06)(order.orderId);
  const lessonWorker = recording.lesson;
  const show = async () =>
    execFileSync(
      await ensureTemporalCli(),
      ['workflow', 'show', '--address', env.address, '-w', workflowId, '--output', 'json'],
      { encoding: 'utf8' },
    );
  let json: string | undefined;
  try {
    const worker = await createLessonWorker(lessonWorker, {
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      services,
      identity: IDENTITY,
      workflowBundle: await workflowBundle(recording.workflowsPath ?? lessonWorker.workflowsPath),
    });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start(LESSONS[lessonWorker.lesson].workflowType, {
        taskQueue: lessonWorker.taskQueue,
        workflowId,
        args: [order],
        workflowExecutionTimeout: '60 seconds',
      });
      if (recording.inFlightAt) {
        // An order in flight: its history as soon as the step is scheduled, while it is still running.
        const scheduled = (history: Awaited<ReturnType<typeof handle.fetchHistory>>) =>
          (history.events ?? []).some(
            (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === recording.inFlightAt,
          );
        while (!scheduled(await handle.fetchHistory())) await new Promise((resolve) => setTimeout(resolve, 50));
        json = await show();
      }
      let outcome: string;
      try {
        outcome = ((await handle.result()) as OrderResult).status;
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        outcome = 'FAILED';
      }
      if (outcome !== recording.expect) {
        throw new Error(`${recording.file}: expected the order to end ${recording.expect}, it ended ${outcome}`);
      }
    });
    const audit = services.ledger.audit();
    if (audit.orphanedCharges.length || audit.stuckReservations.length) {
      throw new Error(`${recording.file}: the ledger shows orphaned charges or stuck reservations; not recording it`);
    }
    json ??= await show();
    const file = path.join(HISTORIES_DIR, recording.file);
    fs.mkdirSync(HISTORIES_DIR, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(JSON.parse(json), null, 2)}\n`);
    const events = (JSON.parse(json) as { events?: unknown[] }).events?.length ?? 0;
    const ended = recording.inFlightAt
      ? `in flight at ${recording.inFlightAt}`
      : `order ${recording.expect.toLowerCase()}`;
    return `${path.relative(REPO_ROOT, file)}: ${events} events, ${ended}`;
  } finally {
    services.close();
  }
}

runMain(async () => {
  try {
    // One after the other: all use the workflow ID order-ORDER-001, which is fine once the previous has closed.
    const only = process.argv[2];
    for (const recording of RECORDINGS.filter((r) => !only || r.lesson.lesson === only)) {
      console.log(await record(recording));
    }
  } finally {
    await stopTestServer();
  }
});
