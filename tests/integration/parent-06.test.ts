/**
 * The lesson-06 parent and its real children on the real dev server, with every activity replaced by
 * a sinon stub: each failure point (payment, inventory, shipping, notification, a failing undo,
 * cancellation mid-order) checked by which activities ran, in which order, with which keys. No
 * ledger, no backoff: the stubs fail with business errors (non-retryable), so each test takes well
 * under a second once the server is up.
 */
import { ApplicationFailure } from '@temporalio/common';
import { CancelledFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import sinon from 'sinon';
import { sampleOrder } from '../../services';
import type { Activities } from '../../solution/06-order-fulfillment/activities';
import { queryStatus } from '../../solution/06-order-fulfillment/client';
import type { OrderResult, OrderStatus } from '../../solution/06-order-fulfillment/shared';
import { lessonWorker } from '../../solution/06-order-fulfillment/worker';
import { SharedWorker } from '../support/harness';
import { itEager } from '../support/eager';
import { testEnv } from '../../common/kit/server';
import { until } from '../../common/kit/wait';

type Stubs = { [K in keyof Activities]: sinon.SinonStub };

/** Every activity as a stub that succeeds the way the real one would. */
function happyStubs(): Stubs {
  return {
    validateOrder: sinon.stub().resolves({ orderId: 'x', totalCents: 105_997, itemCount: 3 }),
    chargePayment: sinon.stub().resolves({ chargeId: 'ch_stub', amountCents: 105_997 }),
    refundPayment: sinon.stub().resolves({ refunded: true, refundId: 're_stub', amountCents: 105_997 }),
    reserveInventory: sinon.stub().resolves({ reservationId: 'rsv_stub', itemCount: 3 }),
    releaseInventory: sinon.stub().resolves({ released: true, itemCount: 3 }),
    arrangeShipment: sinon.stub().resolves({ shipmentId: 'shp_stub', trackingNumber: '1ZSTUB000000', carrier: 'Stub' }),
    cancelShipment: sinon.stub().resolves({ cancelled: true }),
    sendConfirmation: sinon.stub().resolves({ notificationId: 'msg_stub' }),
  };
}

/** The activities the worker gets: each records its name in `calls`, then does what its stub says. */
function recorded(stubs: Stubs, calls: string[]): Record<string, (input: unknown) => Promise<unknown>> {
  return Object.fromEntries(
    Object.entries(stubs).map(([name, stub]) => [
      name,
      (input: unknown) => {
        calls.push(name);
        return stub(input) as Promise<unknown>;
      },
    ]),
  );
}

const declined = () => ApplicationFailure.nonRetryable('card declined', 'CardDeclined');

/** One worker for every test here; each order's activity calls go to that order's stubs. */
const worker = new SharedWorker(lessonWorker.workflowsPath, Object.keys(happyStubs()), 'parent-06');

interface Run {
  orderId: string;
  stubs: Stubs;
  /** Activity names in the order the worker ran them. */
  calls: string[];
  outcome: { result?: OrderResult; error?: WorkflowFailedError };
  status?: OrderStatus;
}

/** Runs one order against `stubs` (after `setup` adjusted them), then queries its final status. */
async function run(
  setup: (stubs: Stubs) => void,
  during?: (handle: WorkflowHandle, stubs: Stubs) => Promise<void>,
): Promise<Run> {
  const stubs = happyStubs();
  setup(stubs);
  const orderId = `ORDER-STUB-${randomUUID().slice(0, 8)}`;
  const calls: string[] = [];
  worker.route(orderId, recorded(stubs, calls));
  return worker.use(async () => {
    const handle = await testEnv().client.workflow.start('orderFulfillmentWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId: `order-${orderId}`,
      args: [sampleOrder(orderId)],
      workflowExecutionTimeout: '30 seconds',
    });
    await during?.(handle, stubs);
    const outcome: Run['outcome'] = {};
    try {
      outcome.result = (await handle.result()) as OrderResult;
    } catch (err) {
      if (!(err instanceof WorkflowFailedError)) throw err;
      outcome.error = err;
    }
    return { orderId, stubs, calls, outcome, status: await queryStatus(handle) };
  });
}

/** The activities that ran, in order, each once (a retried activity appears once). */
function callOrder(r: Run): string[] {
  return r.calls.filter((name, i) => r.calls.indexOf(name) === i);
}

/**
 * Runs one order whose reservation hangs until the order is cancelled; once the cancel request is in,
 * `settle` ends the reservation in flight (resolves or rejects it).
 */
function cancelledWhileReserving(
  settle: (resolve: (value: unknown) => void, reject: (reason: unknown) => void) => void,
): Promise<Run> {
  let end!: () => void;
  return run(
    (s) => s.reserveInventory.callsFake(() => new Promise((resolve, reject) => (end = () => settle(resolve, reject)))),
    async (handle, stubs) => {
      if (!(await until(() => stubs.reserveInventory.called, { timeoutMs: 15_000, everyMs: 20 })))
        throw new Error('the reservation was never called, so there was nothing to cancel it during');
      await handle.cancel();
      end();
    },
  );
}

function failure(r: Run): ApplicationFailure {
  expect(r.outcome.error, 'the order should fail').to.be.instanceOf(WorkflowFailedError);
  const cause = r.outcome.error!.cause;
  expect(cause).to.be.instanceOf(ApplicationFailure);
  return cause as ApplicationFailure;
}

describe('lesson 06 parent with stubbed activities: every failure point', function () {
  this.timeout(20_000);

  itEager('the happy path runs validate, charge, reserve, ship, email in order, and no undo', async () => {
    const r = await run(() => undefined);
    expect(r.outcome.result?.status).to.equal('COMPLETED');
    expect(callOrder(r)).to.deep.equal([
      'validateOrder',
      'chargePayment',
      'reserveInventory',
      'arrangeShipment',
      'sendConfirmation',
    ]);
    // Each child passes its own workflow ID as the idempotency key.
    expect(r.stubs.chargePayment.firstCall.args[0]).to.include({
      idempotencyKey: `payment-${r.orderId}`,
      amountCents: 105_997,
    });
    expect(r.stubs.reserveInventory.firstCall.args[0]).to.include({ idempotencyKey: `inventory-${r.orderId}` });
    expect(r.stubs.arrangeShipment.firstCall.args[0]).to.include({
      idempotencyKey: `shipping-${r.orderId}`,
      itemCount: 3,
    });
    expect(r.stubs.sendConfirmation.firstCall.args[0]).to.include({ trackingNumber: '1ZSTUB000000' });
  });

  itEager(
    'payment fails: the refund registered before it still runs (it may have half-landed), nothing else',
    async () => {
      const r = await run((s) => s.chargePayment.rejects(declined()));
      expect(failure(r).message).to.equal(`order ${r.orderId} failed at payment: card declined`);
      expect(callOrder(r)).to.deep.equal(['validateOrder', 'chargePayment', 'refundPayment']);
      expect(r.stubs.refundPayment.firstCall.args[0]).to.include({ chargeKey: `payment-${r.orderId}` });
    },
  );

  itEager('inventory fails: release, then refund (newest first); no shipment', async () => {
    const r = await run((s) =>
      s.reserveInventory.rejects(ApplicationFailure.nonRetryable('out of stock', 'OutOfStock')),
    );
    expect(failure(r).message).to.match(/failed at inventory: out of stock$/);
    expect(callOrder(r)).to.deep.equal([
      'validateOrder',
      'chargePayment',
      'reserveInventory',
      'releaseInventory',
      'refundPayment',
    ]);
  });

  itEager('shipping fails: cancel shipment, release, refund, in that order; the result lists each undo', async () => {
    const r = await run((s) =>
      s.arrangeShipment.rejects(ApplicationFailure.nonRetryable('undeliverable', 'UndeliverableAddress')),
    );
    const f = failure(r);
    expect(f.type).to.equal('OrderFailed');
    expect(callOrder(r).slice(-3)).to.deep.equal(['cancelShipment', 'releaseInventory', 'refundPayment']);
    const result = f.details?.[0] as OrderResult;
    expect(result.compensations.map((c) => `${c.name}: ${c.outcome}`)).to.deep.equal([
      'cancel shipment: done',
      'release inventory: done',
      'refund payment: done',
    ]);
    expect(result.steps.map((s) => s.state)).to.deep.equal(['COMPENSATED', 'COMPENSATED', 'COMPENSATED', 'PENDING']);
  });

  itEager('notification fails: the order still completes, with a warning, and nothing is undone', async () => {
    const r = await run((s) => s.sendConfirmation.rejects(ApplicationFailure.nonRetryable('mailbox full', 'Bounced')));
    expect(r.outcome.result?.status).to.equal('COMPLETED');
    expect(r.outcome.result?.warnings).to.deep.equal(['confirmation email not sent: mailbox full']);
    for (const undo of ['refundPayment', 'releaseInventory', 'cancelShipment'] as const) {
      expect(r.stubs[undo].called, undo).to.equal(false);
    }
  });

  itEager('an undo that fails for good is recorded, and the other undos still run', async () => {
    const r = await run((s) => {
      s.arrangeShipment.rejects(ApplicationFailure.nonRetryable('undeliverable', 'UndeliverableAddress'));
      s.releaseInventory.rejects(
        ApplicationFailure.nonRetryable('warehouse closed the reservation', 'ReservationClosed'),
      );
    });
    failure(r);
    expect(r.stubs.refundPayment.calledOnce, 'the refund still ran').to.equal(true);
    expect(r.stubs.releaseInventory.calledBefore(r.stubs.refundPayment)).to.equal(true);
    expect(r.status?.compensations.map((c) => `${c.name}: ${c.outcome}`)).to.deep.equal([
      'cancel shipment: done',
      'release inventory: failed',
      'refund payment: done',
    ]);
    expect(r.status?.compensations[1].lastError).to.equal('warehouse closed the reservation');
  });

  itEager('an undo that fails once is retried, and done', async () => {
    const r = await run((s) => {
      s.arrangeShipment.rejects(ApplicationFailure.nonRetryable('undeliverable', 'UndeliverableAddress'));
      s.refundPayment.onFirstCall().rejects(new Error('gateway timeout'));
    });
    failure(r);
    expect(r.stubs.refundPayment.callCount).to.equal(2);
    expect(r.status?.compensations.find((c) => c.name === 'refund payment')?.outcome).to.equal('done');
  });

  itEager(
    'cancelled mid-order: the step in flight finishes, then everything it and earlier steps did is undone',
    async () => {
      // The reservation lands after the cancel request: its undo was registered before it started.
      const r = await cancelledWhileReserving((resolve) => resolve({ reservationId: 'rsv_late', itemCount: 3 }));
      expect(r.outcome.error?.cause).to.be.instanceOf(CancelledFailure);
      expect(r.status?.state).to.equal('CANCELLED');
      expect(callOrder(r).slice(-2)).to.deep.equal(['releaseInventory', 'refundPayment']);
      expect(r.stubs.arrangeShipment.called).to.equal(false);
    },
  );

  itEager('cancelled while a step is failing: the order still ends CANCELLED, with everything undone', async () => {
    // The attempt in flight fails after the cancel request: the customer asked to cancel, and that is how
    // the order ends, not as a failure at inventory.
    const r = await cancelledWhileReserving((_resolve, reject) =>
      reject(ApplicationFailure.nonRetryable('out of stock', 'OutOfStock')),
    );
    expect(r.outcome.error?.cause).to.be.instanceOf(CancelledFailure);
    expect(r.status?.state).to.equal('CANCELLED');
    // Out of stock is the inventory child's own final answer: the child ends FAILED whether the cancel
    // reached it before that answer or after (an outage cut short by the cancel would end it CANCELLED).
    const inventoryChild = await testEnv().client.workflow.getHandle(`inventory-${r.orderId}`).describe();
    expect(inventoryChild.status.name).to.equal('FAILED');
    expect(callOrder(r).slice(-2)).to.deep.equal(['releaseInventory', 'refundPayment']);
    expect(r.stubs.arrangeShipment.called).to.equal(false);
  });
});
