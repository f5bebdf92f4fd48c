/**
 * Replay: lesson 08's builds against the histories they will meet (tests/fixtures/histories/08-*.json,
 * written by `npx ts-node scripts/maintainer/record-histories.ts 08`). Each build must replay what the build it
 * replaces recorded, and its own; the tests also pin down why the order of deploys matters: v2 without
 * its patch, and v3 (deprecatePatch), both fail on the orders v1 started, with a non-determinism error.
 * Bundles come from the grader's content cache, so the grading tests and this file build each once.
 */
import { expect } from 'chai';
import type { ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { REPO_ROOT } from '../../services';
import { workflowsBundle } from '../criteria/bundle';
import { buildFile, SOLUTION_08, unpatchedSolution } from '../criteria/versioning-08';
import { replayFixtures } from '../support/histories';

/** Every lesson-08 recording, by the build that made it. */
const FIXTURES = {
  v1: ['08-v1-completed.json', '08-v1-in-flight.json'],
  v2: ['08-v2-new-order.json'],
  v3: ['08-v3-new-order.json'],
};

async function replay(file: string, fixtures: string[]): Promise<ReplayResult[]> {
  return replayFixtures({ workflowBundle: await workflowsBundle(file, REPO_ROOT) }, fixtures);
}

function failures(results: ReplayResult[]): string[] {
  return results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error!.message.split('\n')[0]}`);
}

describe('lesson 08 replay: each build replays the histories of the build it replaces, and its own', function () {
  this.timeout(60_000);

  it('v2 replays the orders v1 started (in flight and completed) and its own', async () => {
    const results = await replay(buildFile(SOLUTION_08, 'v2'), [...FIXTURES.v1, ...FIXTURES.v2]);
    expect(results).to.have.length(3);
    expect(failures(results)).to.deep.equal([]);
  });

  it('v2 with its patched() guards replaced by true fails on every order v1 started, with a non-determinism error', async () => {
    const results = await replay(buildFile(unpatchedSolution(), 'v2'), FIXTURES.v1);
    expect(results).to.have.length(2);
    for (const result of results) {
      expect(result.error, result.workflowId).to.be.instanceOf(DeterminismViolationError);
      expect(result.error!.message).to.match(
        /Activity type of scheduled event 'chargePayment' does not match activity type of activity command 'checkFraud'/,
      );
    }
  });

  it('v3 (deprecatePatch) replays what v2 and v3 recorded, and fails on the orders v1 started', async () => {
    const results = await replay(buildFile(SOLUTION_08, 'v3'), [...FIXTURES.v2, ...FIXTURES.v3, ...FIXTURES.v1]);
    expect(failures(results.slice(0, 2))).to.deep.equal([]);
    for (const result of results.slice(2))
      expect(result.error, result.workflowId).to.be.instanceOf(DeterminismViolationError);
  });

  it('v4 (no patch) replays what v3 recorded, and fails on what v2 recorded', async () => {
    const [fromV3, fromV2] = await replay(buildFile(SOLUTION_08, 'v4'), [...FIXTURES.v3, ...FIXTURES.v2]);
    expect(fromV3.error).to.equal(undefined);
    expect(fromV2.error).to.be.instanceOf(DeterminismViolationError);
    expect(fromV2.error!.message).to.match(/Non-deprecated patch marker encountered for change fraud-check/);
  });
});
