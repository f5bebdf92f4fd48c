/// <reference types="mocha" />
/**
 * The replay test of lesson 08: does the build you are about to deploy still replay the orders it
 * will meet? Run it before every deploy:
 *
 *   npx mocha exercises/08-versioning/replay.test.ts                   build v2 (ORDER_BUILD picks another)
 *
 * It replays the recorded histories (replay.ts recordedHistories), then every lesson-08 order still
 * running on the server your settings point at (TEMPORAL_ADDRESS, default 127.0.0.1:7233): the orders the
 * deploy would meet. Without a server it says so and skips that half.
 */
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { expect } from 'chai';
import { connectClient } from '../../common/connection';
import { installWorkerLogging } from '../../common/worker';
import {
  recordedHistories,
  replayHistories,
  RUNNING_ORDERS,
  serverHistories,
  type ReplayVerdict,
  type WorkflowCode,
} from './replay';
import { buildFromEnv } from './worker';

const build = buildFromEnv();
// The replayer's own log says the same as the verdicts, at length: errors only.
installWorkerLogging('ERROR');

/** One line per history that did not replay: `order-08-ORDER-001: [TMPRL1100] Nondeterminism error: …`. */
function failures(verdicts: ReplayVerdict[]): string[] {
  // By workflow ID: the server lists running orders newest first, the recordings come in file order.
  return verdicts
    .filter((v) => !v.ok)
    .map((v) => `${v.workflowId}: ${v.error}`)
    .sort();
}

describe(`build ${build} (workflows/${build}.ts) replays the orders it will meet`, function () {
  this.timeout(60_000);
  let workflows: WorkflowCode;
  let client: Client | undefined;

  before(async () => {
    // Bundled once, for both tests (the replayer would bundle again on every call).
    const workflowsPath = require.resolve(`./workflows/${build}`);
    workflows = { workflowBundle: await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') }) };
  });

  after(async () => {
    await client?.connection.close();
  });

  it('replays the recorded histories (tests/fixtures/histories/08-*.json)', async () => {
    const verdicts = await replayHistories(workflows, recordedHistories(build));
    expect(verdicts.length, 'recorded histories replayed').to.be.greaterThan(0);
    expect(failures(verdicts)).to.deep.equal([]);
  });

  it('replays every lesson-08 order still running on the server', async function () {
    client = await connectClient().catch((err: Error) => {
      console.log(`      (no server: ${err.message.split('\n')[0]})`);
      return undefined;
    });
    if (!client) this.skip();
    const verdicts = await replayHistories(workflows, serverHistories(client, RUNNING_ORDERS));
    expect(failures(verdicts)).to.deep.equal([]);
  });
});
