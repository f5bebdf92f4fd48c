import { expect } from 'chai';
import path from 'node:path';
import { FaultPlan } from '../../services';
import { freshServices, uniqueTaskQueue, withWorker } from '../support/harness';
import { itEager } from '../support/eager';
import { testEnv } from '../../common/kit/server';
import { createSmokeActivities } from '../fixtures/smoke/activities';

describe('smoke: a real workflow on the real dev server', () => {
  itEager('runs a workflow whose activity writes to the ledger, retrying an injected fault', async () => {
    // The first payment attempt fails, the retry policy tries again, and exactly one charge lands.
    const services = freshServices(FaultPlan.parse('payment=first:1'));
    try {
      const taskQueue = uniqueTaskQueue('smoke');
      const chargeId = await withWorker(
        {
          taskQueue,
          workflowsPath: path.join(__dirname, '../fixtures/smoke/workflows.ts'),
          activities: createSmokeActivities(services),
        },
        () =>
          testEnv().client.workflow.execute('smokeWorkflow', {
            taskQueue,
            workflowId: `smoke-${taskQueue}`,
            args: ['SMOKE-1', 1234],
          }),
      );
      const audit = services.ledger.audit();
      expect(audit.charges).to.have.length(1);
      expect(audit.charges[0]).to.include({ chargeId, orderId: 'SMOKE-1', amountCents: 1234 });
      expect(services.ledger.calls({ step: 'payment' }).map((c) => c.outcome)).to.deep.equal(['fault', 'ok']);
    } finally {
      services.close();
    }
  });
});
