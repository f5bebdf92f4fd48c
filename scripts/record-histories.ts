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
 *
 * Each file is the PARENT's history (order-ORDER-001) exactly as `temporal workflow show --output json`
 * prints it (the same form as the Web UI's download), written by that command.
 *
 * Re-record after an intentional change to the parent workflow's command sequence, and only then:
 * the point of the fixtures is that an unintentional change fails the replay test.
 *
 *   npx ts-node scripts/record-histories.ts        # every recording
 *   npx ts-node scripts/record-histories.ts 07     # only lesson 07's
 *
 * It starts its own throwaway dev server (the same way the tests do), so nothing else needs to run.
 */
import { Client, WorkflowFailedError } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createLessonWorker } from '../common/worker';
import { LESSONS } from '../common/lessons';
import type { LessonWorker } from '../common/worker';
import { FaultPlan, LatencyPlan, REPO_ROOT, sampleOrder, type Order } from '../services';
import { parentWorkflowId, type OrderResult } from '../solution/06-order-fulfillment/shared';
import { lessonWorkerOf } from '../tests/criteria/lesson-code';
import { HISTORIES_DIR } from '../tests/support/histories';
import { freshServices, workflowBundle } from '../tests/support/harness';
import { startTestServer, stopTestServer } from '../tests/support/server';
import { ensureTemporalCli } from '../tests/support/temporal-cli';
import { runMain } from './lib/args';

/** A fixed identity instead of `pid@hostname`, so the committed files say nothing about the machine. */
const IDENTITY = 'record-histories';

interface Recording {
  file: string;
  lesson: LessonWorker;
  faults: string;
  latency?: string;
  order?: Partial<Order>;
  expect: 'COMPLETED' | 'FAILED';
}

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
];

async function record(recording: Recording): Promise<string> {
  const env = await startTestServer();
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', identity: IDENTITY });
  const services = freshServices(
    FaultPlan.parse(recording.faults),
    undefined,
    LatencyPlan.parse(recording.latency ?? ''),
  );
  const order: Order = { ...sampleOrder('ORDER-001'), ...recording.order };
  const lessonWorker = recording.lesson;
  try {
    const worker = await createLessonWorker(lessonWorker, {
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      services,
      identity: IDENTITY,
      workflowBundle: await workflowBundle(lessonWorker.workflowsPath),
    });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start(LESSONS[lessonWorker.lesson].workflowType, {
        taskQueue: lessonWorker.taskQueue,
        workflowId: parentWorkflowId(order.orderId),
        args: [order],
        workflowExecutionTimeout: '60 seconds',
      });
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
    const json = execFileSync(
      await ensureTemporalCli(),
      ['workflow', 'show', '--address', env.address, '-w', parentWorkflowId(order.orderId), '--output', 'json'],
      { encoding: 'utf8' },
    );
    const file = path.join(HISTORIES_DIR, recording.file);
    fs.mkdirSync(HISTORIES_DIR, { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(JSON.parse(json), null, 2)}\n`);
    const events = (JSON.parse(json) as { events?: unknown[] }).events?.length ?? 0;
    return `${path.relative(REPO_ROOT, file)}: ${events} events, order ${recording.expect.toLowerCase()}`;
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
