/**
 * The parent's bookkeeping, kept out of the saga's way: the `status` object the parent's query returns
 * (its state, each child's state, the undos, warnings) and the result the order ends with.
 *
 * Lesson 06's, made ready for children that run at the same time: the parent's state says which
 * children it is waiting for (PAYMENT_AND_INVENTORY while both run), and the step an order "failed at"
 * is the first child that failed, not the one that started last.
 */
import { CancellationScope, CancelledFailure, isCancellation } from '@temporalio/workflow';
import { orderFailed, rootCauseMessage } from '../../../common/failures';
import {
  CHILD_KINDS,
  childWorkflowId,
  type ChildKind,
  type CompensationRecord,
  type OrderResult,
  type OrderStatus,
} from '../shared';

export class OrderProgress {
  readonly status: OrderStatus;
  /** Where the order failed, for the failure message: the first child that failed, if one did … */
  private failedStep?: ChildKind;
  /** … else the step the parent had reached: `validate`, then each child as it starts. */
  private lastStarted = 'validate';

  constructor(readonly orderId: string) {
    this.status = {
      orderId,
      state: 'VALIDATING',
      children: Object.fromEntries(
        CHILD_KINDS.map((kind) => [kind, { workflowId: childWorkflowId(kind, orderId), state: 'PENDING' }]),
      ) as OrderStatus['children'],
      compensations: [],
      warnings: [],
    };
  }

  setTotal(totalCents: number): void {
    this.status.totalCents = totalCents;
  }

  /**
   * Runs one child and mirrors its state: RUNNING, then COMPLETED, FAILED or CANCELLED. Several may run
   * at once; each keeps its own entry, and the parent's state names every child still running.
   */
  async runChild<T>(kind: ChildKind, start: () => Promise<T>): Promise<T> {
    this.status.children[kind].state = 'RUNNING';
    this.lastStarted = kind;
    this.showWaitingFor();
    try {
      const result = await start();
      this.status.children[kind].state = 'COMPLETED';
      return result;
    } catch (err) {
      const cancelled = isCancellation(err);
      this.status.children[kind].state = cancelled ? 'CANCELLED' : 'FAILED';
      // The first failure is the reason; a sibling cancelled because of it is not.
      if (!cancelled) this.failedStep ??= kind;
      throw err;
    } finally {
      this.showWaitingFor();
    }
  }

  warn(message: string): void {
    this.status.warnings.push(message);
  }

  /** The saga reports each undo here, so `status` shows what is outstanding while it compensates. */
  compensating(records: CompensationRecord[]): void {
    this.status.state = 'COMPENSATING';
    this.status.compensations = records;
  }

  undone(child: ChildKind): void {
    this.status.children[child].state = 'COMPENSATED';
  }

  completed(trackingNumber: string): OrderResult {
    this.status.state = 'COMPLETED';
    return { ...this.result(), trackingNumber };
  }

  /**
   * What to throw once the undos have run: the cancellation itself (the order ends as Cancelled), or
   * an OrderFailed failure that says where and why and carries the result in its details.
   */
  failed(err: unknown): unknown {
    const cancelled = cancellationOf(this.orderId, err);
    if (cancelled) {
      this.status.state = 'CANCELLED';
      return cancelled;
    }
    this.status.state = 'FAILED';
    const step = this.failedStep ?? this.lastStarted;
    return orderFailed(this.orderId, step, err, {
      ...this.result(),
      error: `${step}: ${rootCauseMessage(err)}`,
    });
  }

  /** PAYMENT_AND_INVENTORY while both run, PAYMENT or INVENTORY while one is left, then SHIPPING … */
  private showWaitingFor(): void {
    if (this.status.state === 'COMPENSATING') return;
    const running = CHILD_KINDS.filter((kind) => this.status.children[kind].state === 'RUNNING');
    if (running.length > 0) {
      this.status.state = running.map((kind) => kind.toUpperCase()).join('_AND_') as OrderStatus['state'];
    }
  }

  private result(): OrderResult {
    const s = this.status;
    return {
      orderId: s.orderId,
      status: s.state === 'COMPLETED' ? 'COMPLETED' : s.state === 'CANCELLED' ? 'CANCELLED' : 'FAILED',
      totalCents: s.totalCents ?? 0,
      steps: CHILD_KINDS.map((step) => ({ step, state: s.children[step].state })),
      compensations: s.compensations.map((c) => ({ ...c })),
      warnings: [...s.warnings],
    };
  }
}

/**
 * What a cancelled order ends with, or undefined when it was not cancelled: the cancellation itself, or,
 * when the step in flight failed after the cancel request, a cancellation that names that failure (the
 * customer asked to cancel, so the order ends Cancelled, not as a failure of that step).
 */
export function cancellationOf(orderId: string, err: unknown): unknown {
  if (isCancellation(err)) return err;
  if (CancellationScope.current().consideredCancelled) {
    return new CancelledFailure(`order ${orderId} cancelled (${rootCauseMessage(err)})`);
  }
  return undefined;
}
