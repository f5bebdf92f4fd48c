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
  // TODO Part D: answer the `status` query with the parent's status object (it lists every child's
  //   state): setHandler(orderStatusQuery, () => status)
  // END TODO Part D

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
    // TODO Part B: run the four children strictly in order, each with its own workflow ID, awaiting each
    //   one before starting the next:
    //     await runChild('payment', () => executeChild(paymentWorkflow, { workflowId: ids.payment, args: [{ … }] }));
    //   then inventory (items: sku and quantity), shipping (the customer's address and the reserved item
    //   count) and notification (email and the tracking number). Finish with:
    //     status.state = 'COMPLETED'; return summary(status, 'COMPLETED', shipment.trackingNumber);
    // TODO Part C: before each step, register its undo with compensations.unshift({ name, child, undo }):
    //   'refund payment' (refundPayment with chargeKey ids.payment), 'release inventory' (releaseInventory
    //   with reservationKey ids.inventory), 'cancel shipment' (cancelShipment with shipmentKey ids.shipping).
    //   Registering before the step matters: a charge can land even when the call then times out.
    //   A failed notification must not fail the order: catch it, push a warning, carry on.
    throw ApplicationFailure.nonRetryable('TODO Part B: the parent does not run its children yet', 'NotImplemented');
    // END TODO Part B
  } catch (err) {
    // TODO Part C: compensate. Set status.state = 'COMPENSATING', then inside
    //   CancellationScope.nonCancellable(async () => { … }) run every registered undo in the array's order
    //   (newest first), pushing { name, outcome: undone ? 'done' : 'nothing to undo' } to status.compensations.
    //   Then: if isCancellation(err), set state 'CANCELLED' and rethrow err (the order ends as cancelled);
    //   otherwise set state 'FAILED' and throw a non-retryable ApplicationFailure of type 'OrderFailed'
    //   whose details carry summary(status, 'FAILED', undefined, rootCauseMessage(err)).
    throw err;
    // END TODO Part C
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
