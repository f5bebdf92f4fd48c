/**
 * `npm run client` notices an order whose workflow task keeps failing, and says so in one line with the
 * fix and a doc link, instead of waiting on queries that cannot be answered:
 *   - an unpatched change deployed under an in-flight order (lesson 06's parent with its steps swapped,
 *     tests/fixtures/nondeterministic-06): a non-determinism error;
 *   - an Error thrown in workflow code, on lesson 02.
 * The client runs as a learner runs it (scripts/client.ts in its own process); the workers run here.
 */
import { expect } from 'chai';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { lessonWorker as worker02 } from '../../solution/02-order-processing/worker';
import { lessonWorker as worker06 } from '../../solution/06-order-fulfillment/worker';
import { FaultPlan, LatencyPlan } from '../../services';
import { freshLedgerPath, freshServices, uniqueTaskQueue, withWorker } from '../support/harness';
import { startTsProcess } from '../../common/kit/processes';
import { testEnv } from '../../common/kit/server';

/** The process's exit code, once it has exited by itself. */
function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const NONDETERMINISTIC_06 = path.resolve(__dirname, '../fixtures/nondeterministic-06/workflows.ts');
const THROWING_02 = path.resolve(__dirname, 'fixtures/client-stuck/throwing-02.ts');

describe('npm run client: an order whose workflow task keeps failing', function () {
  this.timeout(120_000);

  function client(lesson: string, orderId: string, taskQueue: string, ledgerPath: string) {
    return startTsProcess(
      'scripts/client.ts',
      { TEMPORAL_ADDRESS: testEnv().address, LEDGER_PATH: ledgerPath, TASK_QUEUE: taskQueue },
      ['--lesson', lesson, '--order', orderId],
    );
  }

  it('an unpatched change deployed under an in-flight order: one line naming non-determinism, exit 1', async () => {
    const taskQueue = uniqueTaskQueue('stuck-06');
    const ledgerPath = freshLedgerPath();
    const orderId = `STUCK-${randomUUID().slice(0, 8)}`;
    // The order waits in inventory (4 s) while the old code is replaced by the new.
    const services = freshServices(FaultPlan.none(), ledgerPath, LatencyPlan.parse('inventory=4s'));
    const activities = worker06.createActivities(services);
    const run = client('06', orderId, taskQueue, ledgerPath);
    try {
      await withWorker({ taskQueue, workflowsPath: worker06.workflowsPath, activities }, () =>
        run.waitFor(/INVENTORY\s+payment=COMPLETED inventory=RUNNING/, 30_000),
      );
      // The "new build": the same workflow type, its steps reordered. The inventory child finishes on it,
      // and the parent's next workflow task replays a history its code no longer matches.
      const started = Date.now();
      await withWorker({ taskQueue, workflowsPath: NONDETERMINISTIC_06, activities }, () =>
        run.waitFor(/^Stuck: /m, 90_000),
      );
      const stuck = run
        .output()
        .split('\n')
        .find((l) => l.startsWith('Stuck: '))!;
      expect(stuck).to.match(
        new RegExp(`^Stuck: order-${orderId} is stuck: its workflow task keeps failing with a non-determinism error`),
      );
      expect(stuck).to.include('patched()');
      expect(stuck).to.include('docs/troubleshooting.md#12-changing-workflow-code-while-orders-are-running');
      expect(stuck).to.include(`npm run client -- --lesson 06 --order ${orderId}`);
      expect(Date.now() - started).to.be.below(90_000);
      expect(await exitCode(run.child)).to.equal(1);
    } finally {
      await run.kill();
      services.close();
      await testEnv()
        .client.workflow.getHandle(`order-${orderId}`)
        .terminate('test over')
        .catch(() => undefined);
    }
  });

  it('an Error thrown in workflow code (lesson 02): one line naming it, with the fix', async () => {
    const taskQueue = uniqueTaskQueue('stuck-02');
    const ledgerPath = freshLedgerPath();
    const orderId = `STUCK-${randomUUID().slice(0, 8)}`;
    const services = freshServices(FaultPlan.none(), ledgerPath);
    const run = client('02', orderId, taskQueue, ledgerPath);
    try {
      await withWorker({ taskQueue, workflowsPath: THROWING_02, activities: worker02.createActivities(services) }, () =>
        run.waitFor(/^Stuck: /m, 60_000),
      );
      expect(run.output()).to.match(
        new RegExp(
          `^Stuck: order-processing-${orderId} is stuck: its workflow task keeps failing \\(the warehouse is closed \\(order ${orderId}\\)\\), and Temporal retries it forever\\.`,
          'm',
        ),
      );
      expect(run.output()).to.include('docs/troubleshooting.md#7-a-plain-error-thrown-in-workflow-code');
      expect(await exitCode(run.child)).to.equal(1);
    } finally {
      await run.kill();
      services.close();
      await testEnv()
        .client.workflow.getHandle(`order-processing-${orderId}`)
        .terminate('test over')
        .catch(() => undefined);
    }
  });
});
