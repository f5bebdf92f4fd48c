/**
 * Lesson 06 solution, end to end: the real parent and children on the real dev server, writing to a
 * real (fresh) ledger per test. Each test checks what Temporal reports (result, failure, history,
 * the `status` query) against what the outside world actually saw (the ledger).
 *
 * Retry policy of the forward steps: 4 attempts, backoff 0.5 s, 1 s, 2 s, so a step that keeps
 * failing gives up after about 3.5 s; the fault plans below are chosen to keep each test short.
 */
import {
  CancelledFailure,
  Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'chai';
import { causeChain } from '../../common/client';
import {
  fulfillmentOutcome as orderOutcome,
  queryStatus,
  startOrder as startOrFollow,
} from '../../solution/06-order-fulfillment/client';
import { CATALOG, sampleOrder, type LineItem, type Order } from '../../services';
import { itEager } from '../support/eager';
import { waitForStatus } from '../support/order-status';
import { expectEachAttemptReachedService } from '../support/attempts';
import { STEP_OPTIONS } from '../../solution/06-order-fulfillment/workflows/options';
import { expectCompleted, expectFailed, solution06Scenarios } from '../support/scenarios-06';

/** Starts the order and returns its handle. */
async function startOrder(client: Client, order: Order, taskQueue: string): Promise<WorkflowHandle> {
  return (await startOrFollow(client, order, taskQueue)).handle;
}

/** Compensation records without their attempt counts, for exact comparisons. */
function undos(records: { name: string; outcome: string }[] | undefined) {
  return (records ?? []).map(({ name, outcome }) => ({ name, outcome }));
}

/** One solution worker for the whole file: each scenario's orders are routed to its own ledger. */
const { worker, scenario } = solution06Scenarios('solution-06');

async function startedChildIds(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((event) => event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId)
    .filter((id): id is string => typeof id === 'string');
}

describe('lesson 06 solution against the real dev server and ledger', function () {
  this.timeout(30_000);

  describe('cancellation', () => {
    itEager(
      'cancelling an order while inventory retries ends it CANCELLED, refunds the charge and leaves nothing behind',
      async () => {
        await scenario('inventory=first:3', async ({ services, client, taskQueue, newOrderId }) => {
          const orderId = newOrderId('cancel');
          const handle = await startOrder(client, sampleOrder(orderId), taskQueue);
          expect(handle.workflowId).to.equal(`order-${orderId}`);

          // The charge has landed and the inventory child sits in retry backoff (~3.5 s in all): wait for
          // its first failed attempt in the ledger, not only for the child to start, so the cancel cannot
          // arrive before any attempt ran.
          await waitForStatus(handle, (s) => s.state === 'INVENTORY');
          while (services.ledger.calls({ step: 'inventory' }).length === 0) {
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
          await handle.cancel();

          let error: unknown;
          try {
            await handle.result();
          } catch (err) {
            error = err;
          }
          expect(error, 'the order should not complete').to.be.instanceOf(WorkflowFailedError);
          expect((error as WorkflowFailedError).cause).to.be.instanceOf(CancelledFailure);
          expect((await handle.describe()).status.name).to.equal('CANCELLED');
          // The cancellation reached the inventory child too, before its retries succeeded.
          const inventoryChild = await client.workflow.getHandle(`inventory-${orderId}`).describe();
          expect(inventoryChild.status.name).to.equal('CANCELLED');

          // Query while the worker still runs: the parent remembers what it undid.
          const status = await queryStatus(handle);
          expect(status.state).to.equal('CANCELLED');
          expect(undos(status.compensations)).to.deep.include({ name: 'refund payment', outcome: 'done' });
          expect(undos(status.compensations)).to.deep.equal([
            { name: 'release inventory', outcome: 'nothing to undo' },
            { name: 'refund payment', outcome: 'done' },
          ]);
          expect(status.children.payment.state).to.equal('COMPENSATED');
          expect(status.children.inventory.state).to.equal('CANCELLED');
          expect(status.children.shipping.state).to.equal('PENDING');

          const audit = services.ledger.audit();
          expect(audit.charges).to.have.length(1);
          expect(audit.refunds).to.have.length(1);
          expect(audit.refunds[0].chargeId).to.equal(audit.charges[0].chargeId);
          expect(audit.refunds[0].amountCents).to.equal(105_997);
          expect(audit.orphanedCharges).to.have.length(0);
          expect(audit.stuckReservations).to.have.length(0);
          expect(audit.reservations).to.have.length(0);
          expect(audit.shipments).to.have.length(0);
          // Cancelled mid-backoff: at least the attempt waited for, fewer than the 4, none of them reserved anything.
          const inventoryCalls = services.ledger.calls({ step: 'inventory' });
          expect(inventoryCalls.length).to.be.within(1, 3);
          expect(inventoryCalls.every((c) => c.outcome === 'fault')).to.equal(true);
          expect(services.ledger.calls({ step: 'shipping' })).to.have.length(0);
        });
      },
    );
  });

  describe('a payment that half-succeeds', () => {
    itEager(
      'payment=after:4: every attempt charges then errors; the order fails and the one charge is refunded',
      async () => {
        await scenario('payment=after:4', async ({ services, client, taskQueue, newOrderId }) => {
          const orderId = newOrderId('half-paid');
          const startedAt = Date.now();
          const outcome = expectFailed(await orderOutcome(await startOrder(client, sampleOrder(orderId), taskQueue)));
          expect(outcome.type).to.equal('OrderFailed');
          expect(outcome.message).to.contain('failed at payment');
          expect(undos(outcome.result?.compensations)).to.deep.equal([{ name: 'refund payment', outcome: 'done' }]);

          const paymentCalls = services.ledger.calls({ step: 'payment' });
          expectEachAttemptReachedService({
            what: 'the payment gateway',
            calls: paymentCalls,
            deliveries: worker.deliveries(orderId, 'chargePayment'),
            options: STEP_OPTIONS,
            startedAt,
          });
          expect(paymentCalls.map((c) => c.outcome)).to.deep.equal(paymentCalls.map(() => 'fault-after-effect'));
          const audit = services.ledger.audit();
          expect(audit.charges).to.have.length(1);
          expect(audit.refunds).to.have.length(1);
          expect(audit.refunds[0].chargeId).to.equal(audit.charges[0].chargeId);
          expect(audit.orphanedCharges).to.have.length(0);
          expect(audit.reservations).to.have.length(0);
          expect(services.ledger.calls({ step: 'inventory' })).to.have.length(0);
        });
      },
    );

    itEager(
      'payment=after:1: the retry returns the first charge, so the order completes with one charge and no refund',
      async () => {
        await scenario('payment=after:1', async ({ services, client, taskQueue, newOrderId }) => {
          const orderId = newOrderId('retry-paid');
          const result = expectCompleted(await orderOutcome(await startOrder(client, sampleOrder(orderId), taskQueue)));
          expect(result.status).to.equal('COMPLETED');

          expect(services.ledger.calls({ step: 'payment' }).map((c) => c.outcome)).to.deep.equal([
            'fault-after-effect',
            'ok',
          ]);
          const audit = services.ledger.audit();
          expect(audit.charges).to.have.length(1);
          expect(audit.charges[0]).to.include({ key: `payment-${orderId}`, amountCents: 105_997 });
          expect(audit.refunds).to.have.length(0);
          expect(audit.orphanedCharges).to.have.length(0);
          expect(services.ledger.calls({ step: 'refund' })).to.have.length(0);
        });
      },
    );
  });

  describe('invalid orders fail fast with InvalidOrder, naming the field, and touch nothing', () => {
    const cases: { title: string; field: string; mutate: (order: Order) => void }[] = [
      { title: 'no line items', field: 'items', mutate: (o) => (o.items = []) },
      { title: 'quantity 0', field: 'items[0].quantity', mutate: (o) => (o.items[0].quantity = 0) },
      { title: 'unknown SKU', field: 'items[0].sku', mutate: (o) => (o.items[0].sku = 'NO-SUCH-SKU') },
      {
        title: 'fractional cents',
        field: 'items[0].unitPriceCents',
        mutate: (o) => (o.items[0].unitPriceCents = 12.5),
      },
      {
        title: 'email missing',
        field: 'customer.email',
        mutate: (o) => delete (o.customer as Partial<Order['customer']>).email,
      },
      {
        title: 'address missing',
        field: 'customer.address',
        mutate: (o) => delete (o.customer as Partial<Order['customer']>).address,
      },
    ];
    for (const { title, field, mutate } of cases) {
      itEager(
        `${title}: fails with InvalidOrder naming ${field}, starts no child, charges and reserves nothing`,
        async () => {
          await scenario('none', async ({ services, client, taskQueue, newOrderId }) => {
            const order = sampleOrder(newOrderId('invalid'));
            mutate(order);
            const handle = await startOrder(client, order, taskQueue);

            let error: unknown;
            try {
              await handle.result();
            } catch (err) {
              error = err;
            }
            expect(error, 'an invalid order must not complete').to.be.instanceOf(WorkflowFailedError);
            const cause = (error as WorkflowFailedError).cause;
            // The same failure shape as every failed order: OrderFailed on top, the business reason below it.
            expect(cause).to.be.instanceOf(ApplicationFailure);
            expect((cause as ApplicationFailure).type).to.equal('OrderFailed');
            expect((cause as ApplicationFailure).nonRetryable).to.equal(true);
            expect(cause!.message).to.contain(`failed at validate: invalid order: ${field} `);
            const chain = causeChain(cause);
            expect(chain.map((link) => link.type).filter(Boolean)).to.include('InvalidOrder');
            // Not retried: exactly one validation call, rejected.
            expect(services.ledger.calls({ step: 'validate' }).map((c) => c.outcome)).to.deep.equal(['rejected']);

            expect(await startedChildIds(handle)).to.deep.equal([]);
            const audit = services.ledger.audit();
            expect(audit.charges).to.have.length(0);
            expect(audit.reservations).to.have.length(0);
            expect(audit.shipments).to.have.length(0);
            expect(services.ledger.calls({ step: 'payment' })).to.have.length(0);
          });
        },
      );
    }
  });

  describe('business errors are not retried', () => {
    itEager('a declined card fails the order once, with nothing to refund', async () => {
      await scenario('none', async ({ services, client, taskQueue, newOrderId }) => {
        const order = { ...sampleOrder(newOrderId('declined')), paymentToken: 'tok_declined' };
        const outcome = expectFailed(await orderOutcome(await startOrder(client, order, taskQueue)));
        expect(outcome.type).to.equal('OrderFailed');
        expect(outcome.message).to.contain('card declined');
        expect(undos(outcome.result?.compensations)).to.deep.equal([
          { name: 'refund payment', outcome: 'nothing to undo' },
        ]);

        expect(services.ledger.calls({ step: 'payment' }).map((c) => c.outcome)).to.deep.equal(['rejected']);
        const audit = services.ledger.audit();
        expect(audit.charges).to.have.length(0);
        expect(audit.refunds).to.have.length(0);
        expect(audit.orphanedCharges).to.have.length(0);
        expect(services.ledger.calls({ step: 'inventory' })).to.have.length(0);
      });
    });

    itEager('an out-of-stock item fails inventory once and the payment is refunded', async () => {
      await scenario('none', async ({ services, client, taskQueue, newOrderId }) => {
        const camera = CATALOG.find((entry) => entry.sku === 'VINTAGE-CAMERA')!;
        expect(camera.initialStock).to.equal(0);
        const item: LineItem = { sku: camera.sku, name: camera.name, quantity: 1, unitPriceCents: camera.priceCents };
        const order = { ...sampleOrder(newOrderId('sold-out')), items: [item] };
        const outcome = expectFailed(await orderOutcome(await startOrder(client, order, taskQueue)));
        expect(outcome.type).to.equal('OrderFailed');
        expect(outcome.message).to.contain('failed at inventory');
        expect(outcome.message).to.contain('out of stock: VINTAGE-CAMERA');
        expect(undos(outcome.result?.compensations)).to.deep.equal([
          { name: 'release inventory', outcome: 'nothing to undo' },
          { name: 'refund payment', outcome: 'done' },
        ]);

        expect(services.ledger.calls({ step: 'inventory' }).map((c) => c.outcome)).to.deep.equal(['rejected']);
        const audit = services.ledger.audit();
        expect(audit.charges).to.have.length(1);
        expect(audit.charges[0].amountCents).to.equal(camera.priceCents);
        expect(audit.refunds).to.have.length(1);
        expect(audit.refunds[0].chargeId).to.equal(audit.charges[0].chargeId);
        expect(audit.orphanedCharges).to.have.length(0);
        expect(audit.stuckReservations).to.have.length(0);
        expect(audit.shipments).to.have.length(0);
      });
    });
  });

  describe('one parent per order', () => {
    itEager(
      'a second start of an order that is still running is refused (WorkflowExecutionAlreadyStartedError); one charge',
      async () => {
        await scenario('inventory=first:2', async ({ services, client, taskQueue, newOrderId }) => {
          const order = sampleOrder(newOrderId('twice'));
          const first = await startOrder(client, order, taskQueue);

          let error: unknown;
          try {
            await client.workflow.start('orderFulfillmentWorkflow', {
              taskQueue,
              workflowId: `order-${order.orderId}`,
              args: [order],
            });
          } catch (err) {
            error = err;
          }
          expect(error, 'the second start must be refused').to.be.instanceOf(WorkflowExecutionAlreadyStartedError);
          // Refused while the first run was still going (inventory retries keep it busy ~1.5 s).
          expect((await first.describe()).status.name).to.equal('RUNNING');
          // The lesson's client follows the running order instead of starting (and charging) it twice.
          const again = await startOrFollow(client, order, taskQueue);
          expect(again.started).to.equal(false);
          expect(again.handle.workflowId).to.equal(first.workflowId);

          expectCompleted(await orderOutcome(first));
          const audit = services.ledger.audit();
          expect(audit.charges).to.have.length(1);
          expect(audit.reservations).to.have.length(1);
          expect(audit.shipments).to.have.length(1);
          expect(services.ledger.calls({ step: 'payment' })).to.have.length(1);
        });
      },
    );
  });

  describe('result shape', () => {
    itEager(
      'a completed order returns COMPLETED, the total in cents, every step COMPLETED, a tracking number and no compensations',
      async () => {
        await scenario('none', async ({ services, client, taskQueue, newOrderId }) => {
          const orderId = newOrderId('happy');
          const result = expectCompleted(await orderOutcome(await startOrder(client, sampleOrder(orderId), taskQueue)));
          expect(result.orderId).to.equal(orderId);
          expect(result.status).to.equal('COMPLETED');
          expect(result.totalCents).to.equal(105_997);
          expect(result.steps).to.deep.equal([
            { step: 'payment', state: 'COMPLETED' },
            { step: 'inventory', state: 'COMPLETED' },
            { step: 'shipping', state: 'COMPLETED' },
            { step: 'notification', state: 'COMPLETED' },
          ]);
          expect(undos(result.compensations)).to.deep.equal([]);
          expect(result.warnings).to.deep.equal([]);
          expect(result.trackingNumber)
            .to.be.a('string')
            .and.match(/^1Z[0-9A-F]{10}$/);

          const audit = services.ledger.audit();
          expect(audit.shipments).to.have.length(1);
          expect(audit.shipments[0].trackingNumber).to.equal(result.trackingNumber);
          expect(audit.charges).to.have.length(1);
          expect(audit.notifications).to.have.length(1);
        });
      },
    );

    itEager('a failed shipment carries the result in the failure details, compensations newest first', async () => {
      await scenario('shipping=always', async ({ services, client, taskQueue, newOrderId }) => {
        const orderId = newOrderId('no-ship');
        const startedAt = Date.now();
        const outcome = expectFailed(await orderOutcome(await startOrder(client, sampleOrder(orderId), taskQueue)));
        expect(outcome.type).to.equal('OrderFailed');
        const result = outcome.result;
        expect(result, 'the failure details should carry the OrderResult').to.be.an('object');
        expect(result!.status).to.equal('FAILED');
        expect(result!.totalCents).to.equal(105_997);
        expect(result!.compensations.map((c) => c.name)).to.deep.equal([
          'cancel shipment',
          'release inventory',
          'refund payment',
        ]);
        expect(result!.compensations.map((c) => c.outcome)).to.deep.equal(['nothing to undo', 'done', 'done']);
        expect(result!.steps).to.deep.equal([
          { step: 'payment', state: 'COMPENSATED' },
          { step: 'inventory', state: 'COMPENSATED' },
          { step: 'shipping', state: 'FAILED' },
          { step: 'notification', state: 'PENDING' },
        ]);
        expect(result!.trackingNumber).to.equal(undefined);
        expect(result!.error).to.contain('shipping service unavailable');

        const audit = services.ledger.audit();
        // Each of the 4 attempts reaches the carrier once.
        expectEachAttemptReachedService({
          what: 'the carrier',
          calls: services.ledger.calls({ step: 'shipping' }),
          deliveries: worker.deliveries(orderId, 'arrangeShipment'),
          options: STEP_OPTIONS,
          startedAt,
        });
        expect(audit.orphanedCharges).to.have.length(0);
        expect(audit.stuckReservations).to.have.length(0);
        expect(audit.refunds).to.have.length(1);
        expect(audit.releases).to.have.length(1);
      });
    });
  });
});
