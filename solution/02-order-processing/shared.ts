/**
 * Names, IDs, payload types and the pure order calculations shared by the workflow, the activities,
 * the worker and the client.
 *
 * This file is imported by workflow code, so it must stay deterministic: no Node modules, no I/O.
 * Payloads cross the wire as JSON: plain objects, strings, and money as integer cents.
 */
import type { LineItem } from '../../services/orders';

/** Lesson 02's own task queue, so its worker can run beside lesson 06's (`order-fulfillment`). */
export const TASK_QUEUE = 'order-processing';

/** `order-processing-ORDER-001`: one workflow per order, so starting the same order twice cannot run it twice. */
export function orderWorkflowId(orderId: string): string {
  return `order-processing-${orderId}`;
}

/** The steps that talk to the outside world, in the order the workflow runs them. */
export const STEPS = ['validate', 'payment', 'inventory', 'shipping'] as const;
export type Step = (typeof STEPS)[number];

/**
 * `payment-ORDER-001`: the idempotency key of one step of one order (the same format lesson 06 uses
 * for its child workflow IDs). Every retry of the step sends the same key, so the service does the
 * work at most once.
 */
export function idempotencyKey(step: Step, orderId: string): string {
  return `${step}-${orderId}`;
}

// ---- workflow logic ---------------------------------------------------------------------------
// The total (orderTotalCents in services/orders.ts) and the shipping quote are pure functions of the
// order: same input, same answer, no I/O, nothing that can time out. So they run inside the workflow
// as plain code: an activity would add a network hop, history events and a retry policy for something
// that cannot fail, and replaying the workflow recomputes them to exactly the same value.

/** Standard shipping: $5.99 for the first unit, $1.50 for each unit after it (3 units: $8.99). */
export const SHIPPING_FIRST_UNIT_CENTS = 599;
export const SHIPPING_EXTRA_UNIT_CENTS = 150;

export function shippingQuote(items: readonly Pick<LineItem, 'quantity'>[]): number {
  const units = items.reduce((sum, item) => sum + item.quantity, 0);
  return SHIPPING_FIRST_UNIT_CENTS + SHIPPING_EXTRA_UNIT_CENTS * (units - 1);
}

// ---- activity inputs and the workflow's result ------------------------------------------------

/** What the workflow returns when the order went through. */
export interface OrderResult {
  orderId: string;
  status: 'COMPLETED';
  /** What the customer was charged: the items total. */
  totalCents: number;
  /** The carrier's price for the parcel, computed in the workflow. */
  shippingCents: number;
  chargeId: string;
  reservationId: string;
  trackingNumber: string;
}

/** What a failed order carries in its failure's details (the same `OrderFailed` shape as lesson 06). */
export interface OrderFailureDetails {
  orderId: string;
  status: 'FAILED';
  /** Where and why: `payment: card declined for order ORDER-001`. */
  error: string;
}
