/**
 * Names, IDs and payload types shared by the workflows, the activities, the worker and the client.
 *
 * This file is imported by workflow code, so it must stay deterministic: no Node modules, no I/O.
 * Payloads cross the wire as JSON: plain objects, strings, and money as integer cents.
 */
import type { Address, LineItem } from '../../services/orders';

export const TASK_QUEUE = 'order-fulfillment';

/** The four children, in the order the parent runs them. */
export const CHILD_KINDS = ['payment', 'inventory', 'shipping', 'notification'] as const;
export type ChildKind = (typeof CHILD_KINDS)[number];

/** `order-ORDER-001`: one parent per order, so starting the same order twice cannot run it twice. */
export function orderWorkflowId(orderId: string): string {
  return `order-${orderId}`;
}

/** `payment-ORDER-001` …: each child's own ID, also the idempotency key of its side effect. */
export function childWorkflowId(kind: ChildKind, orderId: string): string {
  return `${kind}-${orderId}`;
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

export type OrderState =
  | 'VALIDATING'
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
