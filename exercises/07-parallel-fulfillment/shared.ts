/**
 * Names, IDs and payload types of lesson 07, shared by the workflows, the activities, the worker and the
 * client. It is lesson 06's order with lesson 06's children, so the child inputs and results, the
 * compensation records and the result are lesson 06's; what differs is the task queue, the workflow IDs
 * (so lesson 07's orders run beside lesson 06's on one server), and the parent's states, which now
 * include waiting for two children at once.
 *
 * This file is imported by workflow code, so it must stay deterministic: no Node modules, no I/O.
 * Payloads cross the wire as JSON: plain objects, strings, and money as integer cents.
 */
import type { Address, LineItem } from '../../services/orders';

/** Its own task queue, so lesson 07's worker can run beside lesson 06's (`order-fulfillment`). */
export const TASK_QUEUE = 'order-fulfillment-parallel';

/** The four children, in the order their steps begin (payment and inventory begin together). */
export const CHILD_KINDS = ['payment', 'inventory', 'shipping', 'notification'] as const;
export type ChildKind = (typeof CHILD_KINDS)[number];

/** `order-07-ORDER-001`: one parent per order, so starting the same order twice cannot run it twice. */
export function orderWorkflowId(orderId: string): string {
  return `order-07-${orderId}`;
}

/** `payment-07-ORDER-001` …: each child's own ID, also the idempotency key of its side effect. */
export function childWorkflowId(kind: ChildKind, orderId: string): string {
  return `${kind}-07-${orderId}`;
}

// ---- child inputs and results -----------------------------------------------------------------

export interface PaymentInput {
  orderId: string;
  amountCents: number;
  paymentToken: string;
}
export interface PaymentResult {
  chargeId: string;
  amountCents: number;
}

export interface InventoryInput {
  orderId: string;
  items: Pick<LineItem, 'sku' | 'quantity'>[];
}
export interface InventoryResult {
  reservationId: string;
  itemCount: number;
}

export interface ShippingInput {
  orderId: string;
  address: Address;
  itemCount: number;
}
export interface ShippingResult {
  shipmentId: string;
  trackingNumber: string;
  carrier: string;
}

export interface NotificationInput {
  orderId: string;
  email: string;
  trackingNumber: string;
}
export interface NotificationResult {
  notificationId: string;
}

// ---- status (the answer to the `status` query every workflow has) -----------------------------

export type ChildState = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'COMPENSATED';

/** A child's answer to `status`. */
export interface ChildStatus {
  workflowId: string;
  orderId: string;
  state: ChildState;
  /** What the child produced (charge ID, tracking number …) or why it failed. */
  detail?: string;
}

/**
 * What the parent is doing. During the fan-out it waits for two children at once: PAYMENT_AND_INVENTORY
 * while both run, then PAYMENT or INVENTORY while only that one is still running.
 */
export type OrderState =
  | 'VALIDATING'
  | 'PAYMENT_AND_INVENTORY'
  | 'PAYMENT'
  | 'INVENTORY'
  | 'SHIPPING'
  | 'NOTIFICATION'
  | 'COMPENSATING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED';

/** One undo of the saga, as the parent's `status` shows it while (and after) it compensates. */
export interface CompensationRecord {
  /** e.g. `refund payment`, `release inventory`. */
  name: string;
  /**
   * `done`: something was undone; `nothing to undo`: the step never took effect; `retrying`: it keeps
   * failing and is tried again in the next round; `failed`: a business error, so a person must look.
   */
  outcome: 'done' | 'nothing to undo' | 'retrying' | 'failed';
  /** Activity attempts so far. */
  attempts: number;
  lastError?: string;
}

/** The parent's answer to `status`. */
export interface OrderStatus {
  orderId: string;
  state: OrderState;
  totalCents?: number;
  children: Record<ChildKind, { workflowId: string; state: ChildState }>;
  compensations: CompensationRecord[];
  warnings: string[];
}

/** What a completed order returns; a failed order carries the same shape in its failure's details. */
export interface OrderResult {
  orderId: string;
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED';
  totalCents: number;
  steps: { step: ChildKind; state: ChildState }[];
  compensations: CompensationRecord[];
  warnings: string[];
  trackingNumber?: string;
  /** Where and why it failed: `shipping: shipping service unavailable (attempt 4)`. */
  error?: string;
}
