/**
 * Records the event histories that tests/integration/replay-06.test.ts replays:
 *
 *   tests/fixtures/histories/06-happy-path.json    ORDER-001, no faults: the order completes
 *   tests/fixtures/histories/06-compensation.json  ORDER-001, shipping always fails: the parent
 *                                                  releases the stock and refunds the card
 *
 * Each file is the PARENT's history (order-ORDER-001) exactly as `temporal workflow show --output json`
 * prints it (the same form as the Web UI's download), written by that command.
 *
 * Re-record after an intentional change to the parent workflow's command sequence, and only then:
 * the point of the fixtures is that an unintentional change fails the replay test.
 *
 *   npx ts-node scripts/record-histories.ts
 *
 * It starts its own throwaway dev server (the same way the tests do), so nothing else needs to run.
 */
import { Client, WorkflowFailedError } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createLessonWorker } from '../common/worker';
import { FaultPlan, REPO_ROOT, sampleOrder } from '../services';
import { parentWorkflowId, type OrderResult } from '../solution/06-order-fulfillment/shared';
import { lessonWorker } from '../solution/06-order-fulfillment/worker';
import { HISTORIES_DIR } from '../tests/support/histories';
import { freshServices, workflowBundle } from '../tests/support/harness';
import { startTestServer, stopTestServer } from '../tests/support/server';
import { ensureTemporalCli } from '../tests/support/temporal-cli';
import { runMain } from './lib/args';

/** A fixed identity instead of `pid@hostname`, so the committed files say nothing about the machine. */
const IDENTITY = 'record-histories';

interface Recording {
  file: string;
  faults: string;
  expect: 'COMPLETED' | 'FAILED';
}

const RECORDINGS: Recording[] = [
  { file: '06-happy-path.json', faults: 'none', expect: 'COMPLETED' },
  { file: '06-compensation.json', faults: 'shipping=always', expect: 'FAILED' },
];

async function record(recording: Recording): Promise<string> {
  const env = await startTestServer();
  const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', identity: IDENTITY });
  const services = freshServices(FaultPlan.parse(recording.faults));
  const order = sampleOrder('ORDER-001');
  try {
    const worker = await createLessonWorker(lessonWorker, {
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      services,
      identity: IDENTITY,
      workflowBundle: await workflowBundle(lessonWorker.workflowsPath),
    });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('orderFulfillmentWorkflow', {
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
    // One after the other: both use the workflow ID order-ORDER-001, which is fine once the first has closed.
    for (const recording of RECORDINGS) console.log(await record(recording));
  } finally {
    await stopTestServer();
  }
});
