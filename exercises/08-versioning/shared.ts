/**
 * Names, IDs, payload types and the builds of lesson 08, shared by the workflows, the activities, the
 * worker, the client and the replay test.
 *
 * This file is imported by workflow code, so it must stay deterministic: no Node modules, no I/O.
 */
import type { LineItem } from '../../services/orders';

/** Lesson 08's own task queue, so its worker runs beside every other lesson's on one server. */
export const TASK_QUEUE = 'order-versioning';

/** `order-08-ORDER-001`: one workflow per order, apart from every other lesson's IDs. */
export function orderWorkflowId(orderId: string): string {
  return `order-08-${orderId}`;
}

/** The steps that talk to the outside world. Which of them run, and in which order, depends on the build. */
export const STEPS = ['validate', 'fraud', 'payment', 'inventory', 'shipping'] as const;
export type Step = (typeof STEPS)[number];

/** `payment-08-ORDER-001`: the idempotency key of one step of one order, apart from every other lesson's keys. */
export function idempotencyKey(step: Step, orderId: string): string {
  return `${step}-08-${orderId}`;
}

/**
 * The builds of the order flow, oldest first. Each is one file in workflows/ that registers
 * `orderFlowWorkflow`; a worker runs the one ORDER_BUILD names (worker.ts):
 *   v1  the flow running today: validate → charge → reserve → ship
 *   v2  the change: a fraud check first, and stock reserved before the card is charged, behind
 *       patched('fraud-check') so that orders started on v1 keep their old path
 *   v3  deprecatePatch('fraud-check'): once no order started on v1 is open
 *   v4  the patch removed: once no order started on v2 is open
 */
export const BUILDS = ['v1', 'v2', 'v3', 'v4'] as const;
export type Build = (typeof BUILDS)[number];

/** The build a worker runs when ORDER_BUILD names none. */
export const DEFAULT_BUILD: Build = 'v2';

/** The Worker Deployment every build of this lesson belongs to (Worker Versioning, ORDER_VERSIONING). */
export const DEPLOYMENT_NAME = 'order-versioning';

/** The patch that lets v2 run beside orders started on v1. */
export const FRAUD_CHECK_PATCH = 'fraud-check';

// ---- workflow logic ---------------------------------------------------------------------------

/** Standard shipping: $5.99 for the first unit, $1.50 for each unit after it (3 units: $8.99). */
export function shippingQuote(items: readonly Pick<LineItem, 'quantity'>[]): number {
  const units = items.reduce((sum, item) => sum + item.quantity, 0);
  return 599 + 150 * (units - 1);
}

// ---- the workflow's result --------------------------------------------------------------------

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
  /** The fraud screen's score, or null for an order that took the path without the check. */
  fraudRiskScore: number | null;
}

/** What a failed order carries in its failure's details. */
export interface OrderFailureDetails {
  orderId: string;
  status: 'FAILED';
  /** Where and why: `fraud: fraud suspected for order ORDER-004 (risk score 97)`. */
  error: string;
}
