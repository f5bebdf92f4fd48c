/**
 * Records the event histories that tests/integration/replay-06.test.ts replays:
 *
 *   tests/fixtures/histories/06-happy-path.json    ORDER-001, no faults: the order completes
 *   tests/fixtures/histories/06-compensation.json  ORDER-001, shipping always fails: the parent
 *                                                  releases the stock and refunds the card
 *
 * Each file is the PARENT's history (order-ORDER-001) in the JSON form Temporal's own tools use
 * (`historyToJSON`, the same as `temporal workflow show --output json` and the Web UI's download).
 *
 * Re-record after an intentional change to the parent workflow's command sequence, and only then:
 * the point of the fixtures is that an unintentional change fails the replay test.
 *
 *   npx ts-node scripts/record-histories.ts
 *
 * It starts its own throwaway dev server (the same way the tests do), so nothing else needs to run.
 */
import { Client, WorkflowFailedError } from '@temporalio/client';
import * as proto from '@temporalio/proto';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import fs from 'node:fs';
import path from 'node:path';
import { FaultPlan, REPO_ROOT, sampleOrder } from '../services';
import { createActivities } from '../solution/06-order-fulfillment/activities';
import { parentWorkflowId, TASK_QUEUE } from '../solution/06-order-fulfillment/shared';
import type { OrderResult } from '../solution/06-order-fulfillment/shared';
import { freshServices, workflowBundle } from '../tests/support/harness';
import { startTestServer, stopTestServer } from '../tests/support/server';

export const HISTORIES_DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'histories');
const WORKFLOWS_PATH = path.join(REPO_ROOT, 'solution', '06-order-fulfillment', 'workflows');
/** A fixed identity instead of `pid@hostname`, so the committed files say nothing about the machine. */
const IDENTITY = 'record-histories';

type History = proto.temporal.api.history.v1.IHistory;

/** A history as Temporal's JSON (the form `temporal workflow show --output json` and the Web UI download). */
export function historyToFixtureJSON(history: History): string {
  return `${JSON.stringify(JSON.parse(historyToJSON(history)), null, 2)}\n`;
}

/** Reads a history file written by historyToFixtureJSON (or by `temporal workflow show --output json`). */
export function readHistoryFixture(file: string): History {
  return historyFromJSON(JSON.parse(fs.readFileSync(file, 'utf8')));
}

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
  // The lesson's own task queue (the server is throwaway), so a re-recording changes as little as possible.
  const taskQueue = TASK_QUEUE;
  const order = sampleOrder('ORDER-001');
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      identity: IDENTITY,
      workflowBundle: await workflowBundle(WORKFLOWS_PATH),
      activities: createActivities(services),
    });
    const history = await worker.runUntil(async () => {
      const handle = await client.workflow.start('orderFulfillmentWorkflow', {
        taskQueue,
        workflowId: parentWorkflowId(order.orderId),
        args: [order],
        workflowExecutionTimeout: '60 seconds',
      });
      let outcome: string;
      try {
        const result = (await handle.result()) as OrderResult;
        outcome = result.status;
      } catch (err) {
        if (!(err instanceof WorkflowFailedError)) throw err;
        outcome = 'FAILED';
      }
      if (outcome !== recording.expect) {
        throw new Error(`${recording.file}: expected the order to end ${recording.expect}, it ended ${outcome}`);
      }
      return handle.fetchHistory();
    });
    const audit = services.ledger.audit();
    if (audit.orphanedCharges.length || audit.stuckReservations.length) {
      throw new Error(`${recording.file}: the ledger shows orphaned charges or stuck reservations; not recording it`);
    }
    const file = path.join(HISTORIES_DIR, recording.file);
    fs.mkdirSync(HISTORIES_DIR, { recursive: true });
    // Pretty-printed, so a re-recording shows up as a readable diff.
    fs.writeFileSync(file, historyToFixtureJSON(history));
    return `${path.relative(REPO_ROOT, file)}: ${history.events?.length ?? 0} events, order ${recording.expect.toLowerCase()}`;
  } finally {
    services.close();
  }
}

async function main(): Promise<void> {
  try {
    // One after the other: both reuse the workflow ID order-ORDER-001, which is fine once the first has closed.
    for (const recording of RECORDINGS) console.log(await record(recording));
  } finally {
    await stopTestServer();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
