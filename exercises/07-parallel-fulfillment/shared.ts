/**
 * Names, IDs and payload types of lesson 07. It is lesson 06's order with lesson 06's children, so
 * everything here is lesson 06's (IDs, child inputs and results, compensation records, the result)
 * except the task queue and the parent's states, which now include waiting for two children at once.
 *
 * This file is imported by workflow code, so it must stay deterministic: no Node modules, no I/O.
 */
import type { ChildKind, ChildState, CompensationRecord } from '../../solution/06-order-fulfillment/shared';

export * from '../../solution/06-order-fulfillment/shared';

/** Its own task queue, so lesson 07's worker can run beside lesson 06's (`order-fulfillment`). */
export const TASK_QUEUE = 'order-fulfillment-parallel';

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

/** The parent's answer to `status`. */
export interface OrderStatus {
  orderId: string;
  state: OrderState;
  totalCents?: number;
  children: Record<ChildKind, { workflowId: string; state: ChildState }>;
  compensations: CompensationRecord[];
  warnings: string[];
}
