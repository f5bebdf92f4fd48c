/**
 * `reconcile()` (common/reconcile), what `npm run reconcile` runs, against the real dev server and a real
 * ledger. Lesson 06's solution runs five orders on one ledger:
 *
 *   - one completes: reconcile leaves its charge alone;
 *   - one is still running, held in its shipping step by latency: it has a charge and a reservation the
 *     audit flags, and reconcile skips it, saying why;
 *   - two are terminated after their charge (while inventory retries), one after its reservation (while
 *     shipping retries): reconcile refunds and releases what they left;
 *   - and one order exists only in the ledger (written through the services under an ID no workflow has):
 *     the server never heard of it, and reconcile undoes it too.
 *
 * A dry run first changes nothing; a second run finds nothing to do.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { orderWorkflowId } from '../../common/lessons';
import { formatOrder, reconcile, reconcileWorkflowId, type ReconcileResult } from '../../common/reconcile';
import {
  createServices,
  FaultPlan,
  LatencyPlan,
  Ledger,
  orderTotalCents,
  sampleOrder,
  type CallRow,
  type Services,
} from '../../services';
import { createActivities } from '../../solution/06-order-fulfillment/activities';
import { freshLedgerPath, SharedWorker, uniqueTaskQueue, workflowBundle } from '../support/harness';
import { expectCleanAudit, faulted, inFlight, succeeded, untilCalls } from '../support/ledger-calls';
import { testEnv } from '../../common/kit/server';

const WORKFLOWS_06 = path.resolve(__dirname, '../../solution/06-order-fulfillment/workflows');
const RECONCILE_WORKFLOWS = require.resolve('../../common/reconcile/workflows');
const TOTAL = orderTotalCents(sampleOrder().items);
/** How long the running order's shipping call takes: it stays running while reconcile runs. */
const SHIPPING_LATENCY = '4s';

const worker = new SharedWorker(WORKFLOWS_06, Object.keys(createActivities({} as Services)), 'reconcile-06');

describe('reconcile: what orders Temporal no longer runs left behind (lesson 06, real server and ledger)', function () {
  this.timeout(60_000);
  const ledgerPath = freshLedgerPath('reconcile');
  const opened: Services[] = [];
  /** Services on the shared ledger file, with their own faults and latency. */
  const servicesWith = (faults: string, latency = '') => {
    const services = createServices({
      ledger: Ledger.open(ledgerPath),
      faults: FaultPlan.parse(faults),
      latency: LatencyPlan.parse(latency),
    });
    opened.push(services);
    return services;
  };
  const ledger = Ledger.open(ledgerPath);
  const ids = {
    completed: worker.orderIds(createActivities(servicesWith('none')))('rec-done'),
    afterCharge1: worker.orderIds(createActivities(servicesWith('inventory=always')))('rec-charged'),
    afterCharge2: worker.orderIds(createActivities(servicesWith('inventory=always')))('rec-charged'),
    afterReservation: worker.orderIds(createActivities(servicesWith('shipping=always')))('rec-reserved'),
    running: worker.orderIds(createActivities(servicesWith('none', `shipping=${SHIPPING_LATENCY}`)))('rec-running'),
    ghost: `ORDER-rec-ghost-${randomUUID().slice(0, 8)}`,
  };
  let dryRun: ReconcileResult;
  let ledgerBeforeDryRun: string;
  let ledgerAfterDryRun: string;
  let first: ReconcileResult;
  let second: ReconcileResult;
  let callsAfterFirst: number;
  let callsAfterSecond: number;
  let runningEnded: string;
  const snapshot = () => JSON.stringify({ audit: ledger.audit(), calls: ledger.calls() });

  before(async function () {
    const env = testEnv();
    const bundle = workflowBundle(RECONCILE_WORKFLOWS);
    const taskQueue = uniqueTaskQueue('reconcile');
    const start = (orderId: string) =>
      env.client.workflow.start('orderFulfillmentWorkflow', {
        taskQueue: worker.taskQueue,
        workflowId: orderWorkflowId('06', orderId),
        args: [sampleOrder(orderId)],
        workflowExecutionTimeout: '60 seconds',
      });
    await worker.use(async () => {
      // An order only the ledger knows: charged and reserved through the services, no workflow at all.
      const ghost = servicesWith('none');
      const order = sampleOrder(ids.ghost);
      await ghost.payment.charge({
        idempotencyKey: `payment-${ids.ghost}`,
        orderId: ids.ghost,
        amountCents: TOTAL,
        paymentToken: 'tok_visa',
      });
      await ghost.inventory.reserve({
        idempotencyKey: `inventory-${ids.ghost}`,
        orderId: ids.ghost,
        items: order.items,
      });

      const completed = await start(ids.completed);
      const terminate = async (orderId: string, when: (calls: CallRow[]) => boolean) => {
        const handle = await start(orderId);
        await untilCalls(ledger, orderId, (calls) => when(calls) && !inFlight(calls), 15_000);
        await handle.terminate('reconcile test: stopped mid-flight');
      };
      await Promise.all([
        completed.result(),
        terminate(ids.afterCharge1, (calls) => succeeded(calls, 'payment') && faulted(calls, 'inventory')),
        terminate(ids.afterCharge2, (calls) => succeeded(calls, 'payment') && faulted(calls, 'inventory')),
        terminate(ids.afterReservation, (calls) => succeeded(calls, 'inventory') && faulted(calls, 'shipping')),
        bundle,
      ]);

      // The running order, held in its shipping call while reconcile runs.
      const running: WorkflowHandle = await start(ids.running);
      await untilCalls(
        ledger,
        ids.running,
        (calls) => succeeded(calls, 'inventory') && calls.some((c) => c.step === 'shipping'),
        15_000,
      );

      const options = { client: env.client, ledger, taskQueue, workflowBundle: await bundle };
      ledgerBeforeDryRun = snapshot();
      dryRun = await reconcile({ ...options, dryRun: true }); // no connection: a dry run starts no worker
      ledgerAfterDryRun = snapshot();
      first = await reconcile({ ...options, connection: env.nativeConnection });
      callsAfterFirst = ledger.calls().length;
      second = await reconcile({ ...options, connection: env.nativeConnection });
      callsAfterSecond = ledger.calls().length;
      await running.result();
      runningEnded = (await running.describe()).status.name;
    });
  });

  after(() => {
    for (const services of opened) services.close();
    ledger.close();
  });

  const acted = (result: ReconcileResult) => result.orders.map((o) => o.orderId).sort();
  const reconciled = [ids.afterCharge1, ids.afterCharge2, ids.afterReservation, ids.ghost].sort();
  const orderIn = (result: ReconcileResult, orderId: string) => {
    const order = result.orders.find((o) => o.orderId === orderId);
    expect(order, `${orderId} in ${JSON.stringify(result.orders)}`).to.not.equal(undefined);
    return order!;
  };

  it('a dry run lists what it would undo, skips the running order, and changes nothing', () => {
    expect(acted(dryRun)).to.deep.equal(reconciled);
    expect(dryRun.skipped.map((s) => s.orderId)).to.deep.equal([ids.running]);
    expect(dryRun.skipped[0].reason).to.equal(
      `${orderWorkflowId('06', ids.running)} is running: its own saga undoes what it must`,
    );
    expect(formatOrder(orderIn(dryRun, ids.afterReservation), { dryRun: true })).to.equal(
      `${ids.afterReservation}: ${orderWorkflowId('06', ids.afterReservation)} terminated; would release 3 units, refund $1,059.97`,
    );
    expect(dryRun.totals).to.include({ refunds: 4, refundedCents: 4 * TOTAL, releases: 2, releasedUnits: 6 });
    expect(ledgerAfterDryRun).to.equal(ledgerBeforeDryRun);
  });

  it('refunds and releases what the terminated orders left, newest first, through reconcile workflows', async () => {
    expect(acted(first)).to.deep.equal(reconciled);
    const charged = orderIn(first, ids.afterCharge1);
    expect(charged.ended).to.equal(`${orderWorkflowId('06', ids.afterCharge1)} terminated`);
    expect(charged.undos.map((u) => [u.step, u.outcome, u.amountCents ?? 0])).to.deep.equal([
      ['inventory', 'nothing', 0],
      ['payment', 'undone', TOTAL],
    ]);
    expect(formatOrder(charged)).to.equal(
      `${ids.afterCharge1}: ${orderWorkflowId('06', ids.afterCharge1)} terminated; refunded $1,059.97`,
    );
    const reserved = orderIn(first, ids.afterReservation);
    expect(reserved.undos.map((u) => [u.step, u.outcome])).to.deep.equal([
      ['shipping', 'nothing'],
      ['inventory', 'undone'],
      ['payment', 'undone'],
    ]);
    // In the ledger too: cancel the shipment, then release, then refund.
    expect(
      ledger
        .calls({ orderId: ids.afterReservation })
        .filter((c) => ['cancelShipment', 'release', 'refund'].includes(c.step))
        .map((c) => c.step),
    ).to.deep.equal(['cancelShipment', 'release', 'refund']);
    const description = await testEnv().client.workflow.getHandle(reconcileWorkflowId(ids.afterReservation)).describe();
    expect(description.status.name).to.equal('COMPLETED');
    expect(first.totals).to.include({ refunds: 4, refundedCents: 4 * TOTAL, releases: 2, releasedUnits: 6, failed: 0 });
  });

  it('reconciles an order the server never heard of', () => {
    const ghost = orderIn(first, ids.ghost);
    expect(ghost.ended).to.equal(`not found on ${testEnv().address}`);
    expect(ghost.workflows.every((w) => w.status === 'NOT_FOUND')).to.equal(true);
    expect(formatOrder(ghost)).to.equal(
      `${ids.ghost}: not found on ${testEnv().address}; released 3 units, refunded $1,059.97`,
    );
  });

  it('leaves the completed order charged and the running one untouched', () => {
    const audit = ledger.audit();
    for (const orderId of [ids.completed, ids.running]) {
      expect(
        audit.charges.filter((c) => c.orderId === orderId),
        orderId,
      ).to.have.length(1);
      expect(
        audit.refunds.filter((r) => r.orderId === orderId),
        orderId,
      ).to.deep.equal([]);
      expect(
        audit.releases.filter((r) => r.orderId === orderId),
        orderId,
      ).to.deep.equal([]);
      expect(
        audit.shipments.filter((s) => s.orderId === orderId && !s.cancelled),
        orderId,
      ).to.have.length(1);
    }
    expect(first.skipped.map((s) => s.orderId)).to.deep.equal([ids.running]);
    expect(first.orders.map((o) => o.orderId)).to.not.include(ids.completed);
    expect(runningEnded).to.equal('COMPLETED');
  });

  it('the audit is clean afterwards: nothing orphaned, stuck, or shipped unpaid', () => {
    // Right after the run, only the running order (charged and reserved, not shipped yet) is flagged.
    expect(first.auditBefore).to.deep.include({ orphanedCharges: 5, stuckReservations: 3, shippedUnpaid: 0 });
    expect(first.auditAfter).to.deep.include({ orphanedCharges: 1, stuckReservations: 1, shippedUnpaid: 0 });
    expectCleanAudit(ledger.audit());
  });

  it('a second run does nothing', () => {
    expect(second.orders).to.deep.equal([]);
    expect(callsAfterSecond).to.equal(callsAfterFirst);
  });
});
