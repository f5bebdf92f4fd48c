/**
 * Past the laptop, shown on the test server:
 *   - the lesson's own worker and client read their connection from a Temporal profile file
 *     (TEMPORAL_CONFIG_FILE + TEMPORAL_PROFILE), here pointing at the test server's port and a
 *     namespace that is not `default`;
 *   - two worker PROCESSES poll one task queue and share one batch of orders: both execute children,
 *     and every order completes exactly once (one charge, one shipment each).
 */
import { Client } from '@temporalio/client';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices, FaultPlan, Ledger, sampleBatch } from '../../services';
import type { OrderResult } from '../../solution/06-order-fulfillment/shared';
import { freshLedgerPath } from '../support/harness';
import { startTsProcess, type ProcessHandle } from '../../common/kit/processes';
import { PROFILE_TEST_NAMESPACE, testEnv } from '../../common/kit/server';

const ORDERS = 12;

describe('scale out: a profile file, and two worker processes on one task queue', function () {
  this.timeout(120_000);

  const workers: ProcessHandle[] = [];
  let profileFile: string;
  let ledgerPath: string;
  let taskQueue: string;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    const server = testEnv();
    profileFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-profile-')), 'temporal.toml');
    fs.writeFileSync(
      profileFile,
      `# Like a profile for a company cluster or Temporal Cloud, minus TLS and API key.\n` +
        `[profile.kit-test]\naddress = "${server.address}"\nnamespace = "${PROFILE_TEST_NAMESPACE}"\n`,
    );
    ledgerPath = freshLedgerPath('scale-out');
    taskQueue = `scale-out-${randomUUID()}`;
    // Nothing but the profile says where Temporal is: no TEMPORAL_ADDRESS, no TEMPORAL_NAMESPACE.
    env = {
      TEMPORAL_ADDRESS: '',
      TEMPORAL_NAMESPACE: '',
      TEMPORAL_CONFIG_FILE: profileFile,
      TEMPORAL_PROFILE: 'kit-test',
      TASK_QUEUE: taskQueue,
      LEDGER_PATH: ledgerPath,
      // Some latency, so that both workers are busy at the same time.
      ORDER_FAULTS: 'none',
      ORDER_LATENCY: 'payment=100ms,inventory=100ms,shipping=100ms',
    };
    for (let i = 0; i < 2; i++) workers.push(startTsProcess('solution/06-order-fulfillment/worker.ts', env));
    await Promise.all(workers.map((w) => w.waitFor('worker polling', 90_000)));
  });

  after(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    fs.rmSync(path.dirname(profileFile), { recursive: true, force: true });
  });

  it('each worker says it polls the profile’s address and namespace', () => {
    for (const w of workers) {
      expect(w.output()).to.contain(`on ${testEnv().address} (namespace ${PROFILE_TEST_NAMESPACE})`);
    }
  });

  it('the lesson’s client, configured only by the profile, runs an order to completion in that namespace', async () => {
    const client = startTsProcess('solution/06-order-fulfillment/client.ts', env, ['ORDER-PROFILE-1']);
    const code = await new Promise<number | null>((resolve) => client.child.once('exit', resolve));
    expect(code, client.output()).to.equal(0);
    expect(client.output()).to.contain("status: 'COMPLETED'");
    const inNamespace = new Client({ connection: testEnv().connection, namespace: PROFILE_TEST_NAMESPACE });
    expect((await inNamespace.workflow.getHandle('order-ORDER-PROFILE-1').describe()).status.name).to.equal(
      'COMPLETED',
    );
  });

  it(`both workers execute children of one batch of ${ORDERS} orders, and every order completes once`, async () => {
    const client = new Client({ connection: testEnv().connection, namespace: PROFILE_TEST_NAMESPACE });
    const orders = sampleBatch(ORDERS).map((o) => ({ ...o, orderId: `${o.orderId}-${taskQueue.slice(-8)}` }));
    const results = await Promise.all(
      orders.map(
        (order) =>
          client.workflow.execute('orderFulfillmentWorkflow', {
            taskQueue,
            workflowId: `order-${order.orderId}`,
            args: [order],
            workflowExecutionTimeout: '60 seconds',
          }) as Promise<OrderResult>,
      ),
    );
    expect(results.map((r) => r.status)).to.deep.equal(orders.map(() => 'COMPLETED'));

    // Who ran the children's activities: the identity in each ActivityTaskStarted event.
    const identities = new Set<string>();
    for (const order of orders) {
      for (const kind of ['payment', 'inventory', 'shipping', 'notification']) {
        const history = await client.workflow.getHandle(`${kind}-${order.orderId}`).fetchHistory();
        for (const event of history.events ?? []) {
          const identity = event.activityTaskStartedEventAttributes?.identity;
          if (identity) identities.add(identity);
        }
      }
    }
    const pids = workers.map((w) => String(w.pid));
    expect([...identities].map((id) => id.split('@')[0]).sort()).to.deep.equal([...pids].sort());

    const services = createServices({ ledger: Ledger.open(ledgerPath), faults: FaultPlan.none() });
    try {
      const audit = services.ledger.audit();
      for (const order of orders) {
        expect(
          audit.charges.filter((c) => c.orderId === order.orderId),
          order.orderId,
        ).to.have.length(1);
        expect(
          audit.shipments.filter((s) => s.orderId === order.orderId),
          order.orderId,
        ).to.have.length(1);
      }
      expect(audit.orphanedCharges).to.deep.equal([]);
      expect(audit.shippedUnpaid).to.deep.equal([]);
    } finally {
      services.close();
    }
  });
});
