/**
 * Lesson 06's saga when someone runs an order ID again, and when the workflow's input was never checked:
 * the real parent and children on the real dev server, each scenario on a fresh ledger of its own, on the
 * worker the saga files share (../support/saga-06.ts). An order that failed at shipping and was fully
 * compensated is refused by the lesson's client, and a raw start that bypasses it fails at payment with
 * AlreadyUndone, so nothing ships unpaid; a `null` order and one with the wrong shape fail at once,
 * non-retryably, before anything reaches the services. Failing undos are in ./saga-06-undos.test.ts.
 *
 * Both scenarios start in the one `before` hook and run at the same time; the `it`s then check what each
 * one saw. Faults are seeded rules (`first:N`), never probabilities, so every run meets the same failures.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'chai';
import { causeChain, OrderAlreadyRanError } from '../../common/client';
import { sampleOrder, type Order } from '../../services';
import { fulfillmentOutcome, startOrder } from '../../solution/06-order-fulfillment/client';
import { STEP_OPTIONS } from '../../solution/06-order-fulfillment/workflows/options';
import { expectEachAttemptReachedService } from '../support/attempts';
import { afterEager } from '../support/eager';
import { counts, scenario, settle, valueOf, worker, type Settled } from '../support/saga-06';
import { expectFailed } from '../support/scenarios-06';

// ---- the scenarios ----------------------------------------------------------------------------

/**
 * An order fails at shipping (charge refunded, reservation released), then someone tries again with the
 * same order ID: through the lesson's client, and bypassing it. With `shipping=first:4` a second run's
 * shipment would succeed, so only the services' refusal keeps the goods from going out unpaid.
 */
function rerunOfAFailedOrder() {
  return scenario('shipping=first:4', async ({ services, client, taskQueue, newOrderId }) => {
    const order = sampleOrder(newOrderId('rerun'));
    const startedAt = Date.now();
    const first = (await startOrder(client, order, taskQueue)).handle;
    const firstOutcome = await fulfillmentOutcome(first);
    const firstRunId = (await first.describe()).runId;
    const ledgerAfterFirst = counts(services.ledger.audit());

    // 1. The lesson's client: refused before anything starts.
    const viaClient = await startOrder(client, order, taskQueue).then(
      () => undefined,
      (err: unknown) => err,
    );
    const ledgerAfterClient = counts(services.ledger.audit());
    const paymentCallsAfterClient = services.ledger.calls({ step: 'payment' }).length;

    // 2. Bypassing it: a raw start that explicitly allows a duplicate ID.
    const raw = await client.workflow.start('orderFulfillmentWorkflow', {
      taskQueue,
      workflowId: first.workflowId,
      args: [order],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    const rawOutcome = await fulfillmentOutcome(raw);
    const audit = services.ledger.audit();
    return {
      firstOutcome,
      ledgerAfterFirst,
      viaClient,
      ledgerAfterClient,
      paymentCallsAfterClient,
      rawOutcome,
      rawRunId: raw.firstExecutionRunId,
      firstRunId,
      ledgerAfter: counts(audit),
      paymentCalls: services.ledger.calls({ step: 'payment' }).map((c) => c.outcome),
      shippingCalls: services.ledger.calls({ step: 'shipping' }),
      shippingDeliveries: worker.deliveries(order.orderId, 'arrangeShipment'),
      startedAt,
    };
  });
}

/** Workflow input nobody checked: a `null` order and one with the wrong shape, started directly. */
function malformedInput() {
  return scenario('none', async ({ services, client, taskQueue, newOrderId }) => {
    const run = async (label: string, input: unknown) => {
      const started = Date.now();
      const handle = await client.workflow.start('orderFulfillmentWorkflow', {
        taskQueue,
        workflowId: `order-${newOrderId(label)}`,
        args: [input as Order],
      });
      // Before the fix this never ended (the workflow task failed and was retried for ever): give up
      // waiting after 20 s and report what the workflow was doing instead of hanging the suite.
      const error = await Promise.race([
        handle.result().then(
          () => new Error('the workflow completed'),
          (err: unknown) => err,
        ),
        new Promise<Error>((resolve) => setTimeout(() => resolve(new Error('still running after 20 s')), 20_000)),
      ]);
      if (error instanceof Error && error.message === 'still running after 20 s') await handle.terminate('test over');
      return { error, seconds: (Date.now() - started) / 1000, status: (await handle.describe()).status.name };
    };
    const [nullOrder, itemsNotAList] = await Promise.all([
      run('null', null),
      run('bad-items', { orderId: 'ORDER-BAD', items: 'one laptop', customer: {} }),
    ]);
    return { nullOrder, itemsNotAList, validateCalls: services.ledger.calls({ step: 'validate' }).length };
  });
}

// ---- the checks -------------------------------------------------------------------------------

describe('lesson 06 saga: failing undos and re-runs (real dev server and ledger)', function () {
  this.timeout(60_000);

  const results: {
    rerunOfAFailedOrder?: Settled<Awaited<ReturnType<typeof rerunOfAFailedOrder>>>;
    malformedInput?: Settled<Awaited<ReturnType<typeof malformedInput>>>;
  } = {};

  // Both at once, in the second wave (../support/eager.ts), with ./saga-06-undos.test.ts's: not in the
  // first, whose load would eat into their 20-s status waits.
  const scenarios = afterEager(() => Promise.all([settle(rerunOfAFailedOrder()), settle(malformedInput())]));
  before(async () => {
    [results.rerunOfAFailedOrder, results.malformedInput] = await scenarios();
  });

  describe('each order ID runs once', () => {
    it('the first run fails at shipping and is fully compensated', () => {
      const r = valueOf(results.rerunOfAFailedOrder);
      expect(expectFailed(r.firstOutcome).message).to.contain('failed at shipping');
      expect(r.ledgerAfterFirst).to.deep.include({ charges: 1, refunds: 1, releases: 1, shipments: 0, orphans: 0 });
    });

    it("a re-run through the lesson's client is refused with OrderAlreadyRanError, and nothing new is charged", () => {
      const r = valueOf(results.rerunOfAFailedOrder);
      expect(r.viaClient).to.be.instanceOf(OrderAlreadyRanError);
      expect((r.viaClient as OrderAlreadyRanError).closedAs).to.equal('FAILED');
      expect((r.viaClient as Error).message)
        .to.contain('already ran')
        .and.contain('new order ID');
      expect(r.viaClient).to.not.be.instanceOf(WorkflowExecutionAlreadyStartedError);
      expect(r.ledgerAfterClient).to.deep.equal(r.ledgerAfterFirst);
      expect(r.paymentCallsAfterClient).to.equal(1);
    });

    it('a re-run that bypasses the client fails at payment with AlreadyUndone: 0 orphans, 0 shipped but not paid', () => {
      const r = valueOf(results.rerunOfAFailedOrder);
      // A second run of the same workflow ID, not the first one followed again.
      expect(r.rawRunId).to.be.a('string').and.not.equal(r.firstRunId);
      expect(r.firstRunId).to.be.a('string');
      const outcome = expectFailed(r.rawOutcome);
      expect(outcome.message).to.contain('failed at payment').and.contain('was already undone');
      expect(outcome.chain.map((link) => link.type).filter(Boolean)).to.include('AlreadyUndone');
      // The refunded charge was refused, not returned as live, so nothing went on to ship.
      expect(r.paymentCalls).to.deep.equal(['ok', 'rejected']);
      // Only the first run shipped: each of its 4 attempts reached the carrier once.
      expectEachAttemptReachedService({
        what: 'the carrier',
        calls: r.shippingCalls,
        deliveries: r.shippingDeliveries,
        options: STEP_OPTIONS,
        startedAt: r.startedAt,
      });
      expect(r.ledgerAfter).to.deep.include({
        charges: 1,
        refunds: 1,
        shipments: 0,
        orphans: 0,
        stuck: 0,
        shippedUnpaid: 0,
      });
    });
  });

  describe('workflow input is checked before use', () => {
    for (const key of ['nullOrder', 'itemsNotAList'] as const) {
      it(`${key === 'nullOrder' ? 'a null order' : 'an order whose items are not a list'} fails the workflow at once, non-retryably, with InvalidOrder`, () => {
        const r = valueOf(results.malformedInput);
        const { error, seconds, status } = r[key];
        expect(error, String(error)).to.be.instanceOf(WorkflowFailedError);
        const cause = (error as WorkflowFailedError).cause;
        expect(cause).to.be.instanceOf(ApplicationFailure);
        expect((cause as ApplicationFailure).type).to.equal('InvalidOrder');
        expect((cause as ApplicationFailure).nonRetryable).to.equal(true);
        expect(causeChain(cause)[0].message).to.match(/^invalid order: /);
        expect(status).to.equal('FAILED');
        // Seconds, not the 20 s the check waits before calling it a hang.
        expect(seconds).to.be.below(20);
      });
    }

    it('nothing reached the services', () => {
      expect(valueOf(results.malformedInput).validateCalls).to.equal(0);
    });
  });
});
