/**
 * Names and payloads shared by `npm run reconcile`'s workflow, its activities and the code that plans
 * and reports a run. Workflow code imports it: no Node modules, no I/O.
 */

/** The task queue reconcile's own worker polls (a run may pick another, e.g. one per test). */
export const RECONCILE_TASK_QUEUE = 'reconcile';

/** The workflow type that undoes what one order left behind. */
export const RECONCILE_WORKFLOW_TYPE = 'reconcileOrderWorkflow';

/** `reconcile-ORDER-001`: one reconcile workflow per order ID, so two runs never undo one order twice at once. */
export function reconcileWorkflowId(orderId: string): string {
  return `reconcile-${orderId}`;
}

/** The forward steps whose effects an undo can take back, and the undo of each. */
export const UNDO_OF = {
  payment: 'refund',
  inventory: 'release',
  shipping: 'cancelShipment',
} as const;
export type ForwardStep = keyof typeof UNDO_OF;
export type UndoStep = (typeof UNDO_OF)[ForwardStep];
export const FORWARD_STEPS = Object.keys(UNDO_OF) as ForwardStep[];

/**
 * The undo's own idempotency key, as the lessons' sagas name it (`refund-payment-ORDER-001`,
 * `release-inventory-ORDER-001`, `cancel-shipping-ORDER-001`): whoever runs the undo of a key, the
 * saga or reconcile, it is one undo, done at most once.
 */
export function undoKeyOf(step: ForwardStep, key: string): string {
  return `${step === 'shipping' ? 'cancel' : UNDO_OF[step]}-${key}`;
}

/** One undo the workflow runs: the step, the key the step used, and the undo's own key. */
export interface UndoRequest {
  step: ForwardStep;
  /** The forward step's idempotency key (`payment-ORDER-001`): the charge, hold or booking to undo. */
  key: string;
  undoKey: string;
}

export interface ReconcileInput {
  orderId: string;
  /** Newest first: the workflow runs them in this order. */
  undos: UndoRequest[];
}

/** What an undo activity reports: whether it took something back, and what. */
export interface UndoReceipt {
  /** False when nothing had landed under the key (the service then refuses it if it arrives late). */
  undone: boolean;
  amountCents?: number;
  itemCount?: number;
}

export interface UndoResult extends UndoRequest {
  /** `undone`: taken back now; `nothing`: nothing had landed under the key; `failed`: see `error`. */
  outcome: 'undone' | 'nothing' | 'failed';
  amountCents?: number;
  itemCount?: number;
  /** Why it failed: the service's message (a business error such as a disputed charge, or the last transient one). */
  error?: string;
  /** The business error's type, e.g. `ChargeDisputed`; absent for a transient error that outlasted the retries. */
  errorType?: string;
}

export interface ReconcileOutput {
  orderId: string;
  undos: UndoResult[];
}
