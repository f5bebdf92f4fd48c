/**
 * Replay: the lesson-06 parent must still produce, command for command, the histories it recorded
 * (tests/fixtures/histories, written by `npx ts-node scripts/maintainer/record-histories.ts`). A change to the
 * workflow code that would break orders already running on a real cluster fails here first.
 * The negative case proves the check has teeth: a reordered parent is rejected.
 */
import { expect } from 'chai';
import { itEager } from '../support/eager';
import type { ReplayResult } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import path from 'node:path';
import { replayFixtures } from '../support/histories';
import { orderWorkflowId } from '../../solution/06-order-fulfillment/shared';
import { workflowBundle } from '../support/harness';

const SOLUTION_WORKFLOWS = path.resolve(__dirname, '../../solution/06-order-fulfillment/workflows');
const NONDETERMINISTIC_WORKFLOWS = path.resolve(__dirname, '../fixtures/nondeterministic-06/workflows.ts');
const FIXTURES = ['06-happy-path.json', '06-compensation.json'];
/** The recordings are of ORDER-001 (the parent reads its order ID from its input, not its workflow ID). */
const WORKFLOW_ID = orderWorkflowId('ORDER-001');

async function replay(workflowsPath: string, files: string[]): Promise<ReplayResult[]> {
  return replayFixtures({ workflowBundle: await workflowBundle(workflowsPath) }, files, WORKFLOW_ID);
}

describe('lesson 06 replay: recorded histories still replay against the solution', function () {
  this.timeout(60_000);

  itEager('replays the happy path and the compensation path without a determinism error', async () => {
    const results = await replay(SOLUTION_WORKFLOWS, FIXTURES);
    expect(results).to.have.length(FIXTURES.length);
    results.forEach((result, i) => {
      expect(result.error, `${FIXTURES[i]}: ${result.error?.message}`).to.equal(undefined);
    });
  });

  itEager('rejects a parent that starts the inventory child before the payment child', async () => {
    const [result] = await replay(NONDETERMINISTIC_WORKFLOWS, ['06-happy-path.json']);
    expect(result.error, 'replaying against the reordered parent should fail').to.be.instanceOf(
      DeterminismViolationError,
    );
    // The history's first child is payment-ORDER-001; this code's first command starts inventory-ORDER-001.
    expect(result.error!.message)
      .to.match(/nondeterminism/i)
      .and.to.include('payment-ORDER-001')
      .and.to.include('inventory-ORDER-001');
  });
});
