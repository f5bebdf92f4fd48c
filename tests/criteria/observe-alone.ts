/**
 * Part A's runs, without the whole order: lesson 06's child workflows each started on its own, and
 * lesson 02 and 03's activities each called on its own (no workflow, no server).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { childWorkflowIdOf, LESSONS, type ChildKind } from '../../common/lessons';
import { testEnv } from '../../common/kit/server';
import { itemCount, orderTotalCents, splitByWarehouse, type Order } from '../../services';
import {
  errorMessage,
  failureOutcome,
  type ActivityProbe,
  type Observation,
  type Outcome,
  observationOf,
} from './observation';
import { lessonActivities, type RigRun } from './rig';
import { watchRun } from './watch';

/** Inputs for running each child of lesson 06 on its own, as the parent would start it. */
function childInputs(order: Order): Record<ChildKind, unknown> {
  return {
    payment: { orderId: order.orderId, amountCents: orderTotalCents(order.items), paymentToken: order.paymentToken },
    inventory: { orderId: order.orderId, items: order.items.map(({ sku, quantity }) => ({ sku, quantity })) },
    shipping: { orderId: order.orderId, address: order.customer.address, itemCount: itemCount(order.items) },
    notification: { orderId: order.orderId, email: order.customer.email, trackingNumber: '1ZCHILDALONE' },
  };
}

/** Lesson 06, Part A: each child workflow started on its own (no parent), all four at once. */
export async function observeChildrenAlone({ target, scenario, services, order, rig }: RigRun): Promise<Observation> {
  const client = testEnv().client;
  const inputs = childInputs(order);
  const childOutcomes: Partial<Record<ChildKind, Outcome>> = {};
  const kinds = LESSONS[target.lesson].children;
  const release = rig.serve(order.orderId, services);
  try {
    await Promise.all(
      kinds.map(async (kind) => {
        const workflowId = childWorkflowIdOf(target.lesson, kind, order.orderId);
        try {
          const handle = await client.workflow.start(`${kind}Workflow`, {
            taskQueue: rig.taskQueue,
            workflowId,
            args: [inputs[kind]],
            workflowExecutionTimeout: scenario.timeoutMs ?? 10_000,
          });
          const stuck = watchRun([workflowId], scenario, false);
          try {
            const first = await Promise.race([handle.result().then((result) => ({ done: result })), stuck.found]);
            childOutcomes[kind] = 'done' in first ? { kind: 'completed', result: first.done } : first;
            if (!('done' in first)) await handle.terminate('stopped by the grader').catch(() => undefined);
          } finally {
            stuck.stop();
          }
        } catch (err) {
          childOutcomes[kind] = failureOutcome(
            err,
            `it did not finish within ${(scenario.timeoutMs ?? 10_000) / 1000} s`,
          );
        }
      }),
    );
  } finally {
    release();
  }
  const failed = kinds.find((k) => childOutcomes[k]?.kind !== 'completed');
  return {
    ...observationOf(target, scenario, order),
    outcome: failed ? childOutcomes[failed]! : { kind: 'completed' },
    childOutcomes,
    audit: services.ledger.audit(),
    calls: services.ledger.calls(),
  };
}

/** Lesson 02's activities and the service step each one calls, in the order the workflow runs them. */
export const ACTIVITY_STEPS_02 = [
  ['validateOrder', 'validate'],
  ['chargePayment', 'payment'],
  ['reserveInventory', 'inventory'],
  ['arrangeShipment', 'shipping'],
] as const;

/** Lesson 03's forward activities (its Part A) and the service step each one calls, in the workflow's order. */
export const ACTIVITY_STEPS_03 = [
  ['validateOrder', 'validate'],
  ['chargePayment', 'payment'],
  ['reserveAtWarehouse', 'inventory'],
  ['arrangeShipment', 'shipping'],
  ['sendConfirmation', 'notification'],
] as const;

/** What lesson 03's workflow hands each of those activities for `order` (the reservation: its first warehouse). */
function activityInputs03(order: Order): Record<string, unknown> {
  const id = order.orderId;
  const [parcel] = splitByWarehouse(order.items);
  return {
    validateOrder: { idempotencyKey: `validate-03-${id}`, order },
    chargePayment: {
      idempotencyKey: `payment-03-${id}`,
      orderId: id,
      amountCents: orderTotalCents(order.items),
      paymentToken: order.paymentToken,
    },
    reserveAtWarehouse: {
      idempotencyKey: `inventory-${parcel.warehouse}-03-${id}`,
      orderId: id,
      warehouse: parcel.warehouse,
      items: parcel.items,
    },
    arrangeShipment: {
      idempotencyKey: `shipping-03-${id}`,
      orderId: id,
      address: order.customer.address,
      itemCount: itemCount(order.items),
    },
    sendConfirmation: {
      idempotencyKey: `notification-03-${id}`,
      orderId: id,
      email: order.customer.email,
      trackingNumber: '1ZACTIVITYALONE',
    },
  };
}

/**
 * Lesson 02, Part A: each activity called directly (a mock activity context, no workflow, no server)
 * while its service fails its first call. An activity that calls its service once lets that error
 * escape; one with a retry loop inside calls again and hides the failure from Temporal.
 */
export async function observeActivitiesAlone({
  target,
  scenario,
  services,
  order,
}: Omit<RigRun, 'rig'>): Promise<Observation> {
  const activities = lessonActivities(target.lessonDir)(services);
  const inputs: Record<string, unknown> = {
    validateOrder: { idempotencyKey: `validate-${order.orderId}`, order },
    chargePayment: {
      idempotencyKey: `payment-${order.orderId}`,
      orderId: order.orderId,
      amountCents: orderTotalCents(order.items),
      paymentToken: order.paymentToken,
    },
    reserveInventory: {
      idempotencyKey: `inventory-${order.orderId}`,
      orderId: order.orderId,
      items: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
    },
    arrangeShipment: {
      idempotencyKey: `shipping-${order.orderId}`,
      orderId: order.orderId,
      address: order.customer.address,
      itemCount: itemCount(order.items),
    },
  };
  const [steps, given] =
    target.lesson === '03' ? [ACTIVITY_STEPS_03, activityInputs03(order)] : [ACTIVITY_STEPS_02, inputs];
  // Failures are expected here (each service fails its first call): keep the SDK's log quiet.
  const env = new MockActivityEnvironment(undefined, { logger: new DefaultLogger('ERROR') });
  const probes: ActivityProbe[] = [];
  const describe = (err: unknown) => `threw: ${errorMessage(err).split('\n')[0]}`;
  for (const [name, step] of steps) {
    const fn = activities[name];
    if (typeof fn !== 'function') {
      probes.push({ activity: name, step, callsInFirstInvocation: 0, first: 'missing', second: 'missing' });
      continue;
    }
    const before = services.ledger.calls({ step }).length;
    const first = await env.run(fn, given[name]).then(() => 'returned', describe);
    const callsInFirstInvocation = services.ledger.calls({ step }).length - before;
    let result: unknown;
    const second = await env.run(fn, given[name]).then((value) => {
      result = value;
      return 'returned';
    }, describe);
    probes.push({
      activity: name,
      step,
      callsInFirstInvocation,
      first,
      second,
      ...(second === 'returned' ? { result } : {}),
    });
  }
  const todo = probes.map((p) => /TODO Part [A-Z]:.*/.exec(p.first)?.[0]).find(Boolean);
  return {
    ...observationOf(target, scenario, order),
    // A starter's activities throw "TODO Part A: …": report that like any unfinished order.
    outcome: todo ? { kind: 'failed', message: todo, root: todo } : { kind: 'completed' },
    activityCalls: probes,
    audit: services.ledger.audit(),
    calls: services.ledger.calls(),
  };
}
