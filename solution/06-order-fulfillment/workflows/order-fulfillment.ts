/**
 * The parent: OrderFulfillmentWorkflow. It validates the order, then runs four child workflows
 * strictly in order (payment → inventory → shipping → notification) and, when one of them fails
 * or the order is cancelled, undoes what was done in reverse order (a saga).
 */
import {
  ApplicationFailure,
  CancellationScope,
  executeChild,
  isCancellation,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import { orderTotalCents, type Order } from '../../../services/orders';
import type { Activities } from '../activities';
import {
  CHILD_KINDS,
  childWorkflowId,
  type ChildKind,
  type CompensationRecord,
  type OrderResult,
  type OrderStatus,
} from '../shared';
import { inventoryWorkflow } from './inventory';
import { notificationWorkflow } from './notification';
import { COMPENSATION_OPTIONS, STEP_OPTIONS } from './options';
import { paymentWorkflow } from './payment';
import { shippingWorkflow } from './shipping';
import { orderStatusQuery, rootCauseMessage } from './status';

const { validateOrder } = proxyActivities<Activities>(STEP_OPTIONS);
const { refundPayment, releaseInventory, cancelShipment } = proxyActivities<Activities>(COMPENSATION_OPTIONS);

interface Compensation {
  name: string;
  child: ChildKind;
  /** Resolves to true when something was undone, false when there was nothing to undo. */
  undo: () => Promise<boolean>;
}

export async function orderFulfillmentWorkflow(order: Order): Promise<OrderResult> {
  const { orderId } = order;
  const ids = Object.fromEntries(CHILD_KINDS.map((kind) => [kind, childWorkflowId(kind, orderId)])) as Record<ChildKind, string>;
  const status: OrderStatus = {
    orderId,
    state: 'VALIDATING',
    children: Object.fromEntries(CHILD_KINDS.map((kind) => [kind, { workflowId: ids[kind], state: 'PENDING' }])) as OrderStatus['children'],
    compensations: [],
    warnings: [],
  };
  setHandler(orderStatusQuery, () => status);

  // An invalid order is a business error: fail fast, never retry, touch nothing.
  try {
    await validateOrder({ idempotencyKey: `validate-${orderId}`, order });
  } catch (err) {
    if (isCancellation(err)) {
      status.state = 'CANCELLED';
      throw err;
    }
    status.state = 'FAILED';
    throw ApplicationFailure.create({ message: rootCauseMessage(err), type: 'InvalidOrder', nonRetryable: true });
  }
  // Totals are workflow logic: a pure function of the input, so it is deterministic and needs no activity.
  status.totalCents = orderTotalCents(order.items);

  /**
   * Runs one child and mirrors its state in the parent's status. The children have no retry policy
   * of their own on purpose: each one retries its activity (finite, with backoff), so a child fails
   * only once retrying cannot help, and re-running a whole child would repeat work that succeeded.
   */
  async function runChild<T>(kind: ChildKind, start: () => Promise<T>): Promise<T> {
    status.state = kind.toUpperCase() as OrderStatus['state'];
    status.children[kind].state = 'RUNNING';
    try {
      const result = await start();
      status.children[kind].state = 'COMPLETED';
      return result;
    } catch (err) {
      status.children[kind].state = isCancellation(err) ? 'CANCELLED' : 'FAILED';
      throw err;
    }
  }

  // Undo steps, newest first. Each one is registered BEFORE its step runs: a step can half-succeed
  // (the card is charged, then the call times out), and the undo must still happen.
  const compensations: Compensation[] = [];
  const total = status.totalCents;
  try {
    compensations.unshift({
      name: 'refund payment',
      child: 'payment',
      undo: async () => (await refundPayment({ idempotencyKey: `refund-${ids.payment}`, orderId, chargeKey: ids.payment })).refunded,
    });
    await runChild('payment', () =>
      executeChild(paymentWorkflow, {
        workflowId: ids.payment,
        args: [{ orderId, amountCents: total, paymentToken: order.paymentToken }],
      }),
    );

    compensations.unshift({
      name: 'release inventory',
      child: 'inventory',
      undo: async () =>
        (await releaseInventory({ idempotencyKey: `release-${ids.inventory}`, orderId, reservationKey: ids.inventory })).released,
    });
    const reservation = await runChild('inventory', () =>
      executeChild(inventoryWorkflow, {
        workflowId: ids.inventory,
        args: [{ orderId, items: order.items.map(({ sku, quantity }) => ({ sku, quantity })) }],
      }),
    );

    compensations.unshift({
      name: 'cancel shipment',
      child: 'shipping',
      undo: async () =>
        (await cancelShipment({ idempotencyKey: `cancel-${ids.shipping}`, orderId, shipmentKey: ids.shipping })).cancelled,
    });
    const shipment = await runChild('shipping', () =>
      executeChild(shippingWorkflow, {
        workflowId: ids.shipping,
        args: [{ orderId, address: order.customer.address, itemCount: reservation.itemCount }],
      }),
    );

    // The goods are on their way: a failed email must not undo that. Record it and move on.
    try {
      await runChild('notification', () =>
        executeChild(notificationWorkflow, {
          workflowId: ids.notification,
          args: [{ orderId, email: order.customer.email, trackingNumber: shipment.trackingNumber }],
        }),
      );
    } catch (err) {
      if (isCancellation(err)) throw err;
      status.warnings.push(`confirmation email not sent: ${rootCauseMessage(err)}`);
    }

    status.state = 'COMPLETED';
    return summary(status, 'COMPLETED', shipment.trackingNumber);
  } catch (err) {
    status.state = 'COMPENSATING';
    // Non-cancellable: when the order is being cancelled, the undo work must still run to the end.
    await CancellationScope.nonCancellable(async () => {
      for (const compensation of compensations) {
        const undone = await compensation.undo();
        const record: CompensationRecord = { name: compensation.name, outcome: undone ? 'done' : 'nothing to undo' };
        status.compensations.push(record);
        if (undone) status.children[compensation.child].state = 'COMPENSATED';
      }
    });
    if (isCancellation(err)) {
      status.state = 'CANCELLED';
      throw err; // rethrowing the cancellation ends the workflow as Cancelled
    }
    status.state = 'FAILED';
    const failedStep = CHILD_KINDS.find((kind) => status.children[kind].state === 'FAILED') ?? 'payment';
    const reason = rootCauseMessage(err);
    throw ApplicationFailure.create({
      message: `order ${orderId} failed at ${failedStep}: ${reason}; compensations: ${
        status.compensations.map((c) => `${c.name} (${c.outcome})`).join(', ') || 'none'
      }`,
      type: 'OrderFailed',
      nonRetryable: true,
      details: [summary(status, 'FAILED', undefined, reason)],
    });
  }
}

function summary(status: OrderStatus, outcome: OrderResult['status'], trackingNumber?: string, error?: string): OrderResult {
  return {
    orderId: status.orderId,
    status: outcome,
    totalCents: status.totalCents ?? 0,
    steps: CHILD_KINDS.map((step) => ({ step, state: status.children[step].state })),
    compensations: [...status.compensations],
    warnings: [...status.warnings],
    ...(trackingNumber ? { trackingNumber } : {}),
    ...(error ? { error } : {}),
  };
}
