/**
 * Names, IDs, payload types and the pure order calculations shared by the workflow, the activities,
 * the worker and the client.
 *
 * This file is imported by workflow code, so it must stay deterministic: no Node modules, no I/O.
 * Payloads cross the wire as JSON: plain objects, strings, and money as integer cents.
 */
import type { LineItem } from '../../services/orders';
import type { Warehouse } from '../../services/warehouses';

/** Lesson 03's own task queue, so its worker can run beside every other lesson's. */
export const TASK_QUEUE = 'saga-fan-out';

/** `order-03-ORDER-001`: one workflow per order, so starting the same order twice cannot run it twice. */
export function orderWorkflowId(orderId: string): string {
  return `order-03-${orderId}`;
}

/** The steps that run one at a time; the reservations, one per warehouse, run between payment and shipping. */
export const STEPS = ['validate', 'payment', 'shipping', 'notification'] as const;
export type Step = (typeof STEPS)[number];

/**
 * `payment-03-ORDER-001`: the idempotency key of one step of one order. Every retry of the step sends the
 * same key, so the service does the work at most once. The `03` keeps lesson 03's effects apart from
 * other lessons' on a shared ledger.
 */
export function stepKey(step: Step, orderId: string): string {
  return `${step}-03-${orderId}`;
}

/** `inventory-east-03-ORDER-001`: each warehouse's reservation has its own key, and its own attempts. */
export function reservationKey(warehouse: Warehouse, orderId: string): string {
  return `inventory-${warehouse}-03-${orderId}`;
}

/** `refund-payment-03-ORDER-001`: the key of the undo of the step whose key is `key`. */
export function undoKey(undo: 'refund' | 'release' | 'cancel', key: string): string {
  return `${undo}-${key}`;
}

// ---- workflow logic ---------------------------------------------------------------------------

/** Standard shipping, as in lesson 02: $5.99 for the first unit, $1.50 for each unit after it. */
export function shippingQuote(items: readonly Pick<LineItem, 'quantity'>[]): number {
  const units = items.reduce((sum, item) => sum + item.quantity, 0);
  return 599 + 150 * (units - 1);
}

// ---- status (the answer to the `status` query) --------------------------------------------------

export type StepState = 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' | 'COMPENSATED';

/** One warehouse's branch of the fan-out. */
export type BranchState = 'PENDING' | 'RESERVING' | 'RESERVED' | 'FAILED' | 'CANCELLED' | 'RELEASED';

export interface BranchStatus {
  warehouse: Warehouse;
  /** The reservation's idempotency key: `inventory-east-03-ORDER-001`. */
  key: string;
  /** Units this warehouse ships. */
  units: number;
  state: BranchState;
  /** Why it failed, when it did. */
  error?: string;
}

export type OrderState =
  | 'VALIDATING'
  | 'CHARGING'
  | 'RESERVING'
  | 'SHIPPING'
  | 'NOTIFYING'
  | 'COMPENSATING'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED';

/** One undo of the saga, as `status` shows it while (and after) the order compensates. */
export interface CompensationRecord {
  /** e.g. `refund payment`, `release east`. */
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

/** The workflow's answer to `status`. */
export interface OrderStatus {
  orderId: string;
  state: OrderState;
  totalCents?: number;
  steps: Record<Step, StepState>;
  /** One entry per warehouse the order needs, in warehouse order. */
  reservations: BranchStatus[];
  compensations: CompensationRecord[];
  warnings: string[];
}

/** What a completed order returns; a failed order carries the same shape in its failure's details. */
export interface OrderResult {
  orderId: string;
  status: 'COMPLETED' | 'FAILED' | 'CANCELLED';
  /** What the customer was charged: the items total. */
  totalCents: number;
  /** The carrier's price for the parcel, computed in the workflow. */
  shippingCents: number;
  chargeId?: string;
  reservations: BranchStatus[];
  trackingNumber?: string;
  compensations: CompensationRecord[];
  warnings: string[];
  /** Where and why it failed: `inventory@west: out of stock: VINTAGE-CAMERA …`. */
  error?: string;
}
