/**
 * Replay: the lesson-07 parent must still produce, command for command, the histories it recorded
 * (tests/fixtures/histories/07-*.json, written by `npx ts-node scripts/maintainer/record-histories.ts 07`): the
 * fan-out, and the compensation after a declined card (cancel the inventory child, wait for it,
 * release, refund). A change that would break orders already running on a real cluster fails here
 * first. The negative case proves the check has teeth: a parent that went back to running its
 * children one after the other is rejected.
 */
import { expect } from 'chai';
import type { ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import path from 'node:path';
import { orderWorkflowId } from '../../solution/07-parallel-fulfillment/shared';
import { workflowBundle } from '../support/harness';
import { replayFixtures } from '../support/histories';

const SOLUTION_WORKFLOWS = path.resolve(__dirname, '../../solution/07-parallel-fulfillment/workflows');
const SEQUENTIAL_WORKFLOWS = path.resolve(__dirname, '../fixtures/nondeterministic-07/workflows.ts');
const FIXTURES = ['07-happy-path.json', '07-compensation.json'];
/** The recordings are of ORDER-001 (the parent reads its order ID from its input, not its workflow ID). */
const WORKFLOW_ID = orderWorkflowId('ORDER-001');

async function replay(workflowsPath: string, files: string[]): Promise<ReplayResult[]> {
  return replayFixtures({ workflowBundle: await workflowBundle(workflowsPath) }, files, WORKFLOW_ID);
}

describe('lesson 07 replay: recorded histories still replay against the solution', function () {
  this.timeout(60_000);

  it('replays the fan-out and the compensation after a declined card without a determinism error', async () => {
    const results = await replay(SOLUTION_WORKFLOWS, FIXTURES);
    expect(results).to.have.length(FIXTURES.length);
    results.forEach((result, i) => {
      expect(result.error, `${FIXTURES[i]}: ${result.error?.message}`).to.equal(undefined);
    });
  });

  it('rejects a parent that waits for the payment child before it starts the inventory child', async () => {
    const [result] = await replay(SEQUENTIAL_WORKFLOWS, ['07-happy-path.json']);
    expect(result.error, 'replaying against the sequential parent should fail').to.be.instanceOf(
      DeterminismViolationError,
    );
    // Event 12 is the history's second StartChildWorkflowExecutionInitiated (inventory, in the same
    // workflow task as payment's): this code has no command for it.
    expect(result.error!.message)
      .to.match(/nondeterminism/i)
      .and.to.match(/No command scheduled for event HistoryEvent\(id: 12, StartChildWorkflowExecutionInitiated\)/);
  });
});
