/**
 * The order's bookkeeping, kept out of the saga's way: the `status` object the query returns (the
 * order's state, each step's, each warehouse branch's, the undos, warnings) and the result the order
 * ends with. Workflow code: no Node modules, no I/O.
 */
import { CancellationScope, CancelledFailure, isCancellation } from '@temporalio/workflow';
import { orderFailed, rootCauseMessage } from '../../../common/failures';
import type { WarehouseParcel } from '../../../services/warehouses';
import {
  reservationKey,
  STEPS,
  type BranchStatus,
  type CompensationRecord,
  type OrderResult,
  type OrderState,
  type OrderStatus,
  type Step,
} from '../shared';

const STATE_OF: Record<Step, OrderState> = {
  validate: 'VALIDATING',
  payment: 'CHARGING',
  shipping: 'SHIPPING',
  notification: 'NOTIFYING',
};

export class OrderProgress {
  readonly status: OrderStatus;
  private chargeId?: string;
  private trackingNumber?: string;
  private shippingCents = 0;
  /** Where the order failed, for the failure message: the first branch that failed, if one did … */
  private failedAt?: string;
  /** … else the step the order had reached. */
  private reached = 'validate';

  constructor(
    readonly orderId: string,
    parcels: WarehouseParcel[],
  ) {
    this.status = {
      orderId,
      state: 'VALIDATING',
      steps: Object.fromEntries(STEPS.map((step) => [step, 'PENDING'])) as OrderStatus['steps'],
      reservations: parcels.map((parcel) => ({
        warehouse: parcel.warehouse,
        key: reservationKey(parcel.warehouse, orderId),
        units: parcel.items.reduce((sum, item) => sum + item.quantity, 0),
        state: 'PENDING',
      })),
      compensations: [],
      warnings: [],
    };
  }

  setTotals(totalCents: number, shippingCents: number): void {
    this.status.totalCents = totalCents;
    this.shippingCents = shippingCents;
  }

  /** Runs one step that runs alone and mirrors its state: RUNNING, then COMPLETED, FAILED or CANCELLED. */
  async step<T>(step: Step, run: () => Promise<T>): Promise<T> {
    this.reached = step;
    this.status.state = STATE_OF[step];
    this.status.steps[step] = 'RUNNING';
    try {
      const result = await run();
      this.status.steps[step] = 'COMPLETED';
      if (step === 'payment') this.chargeId = (result as { chargeId?: string }).chargeId;
      if (step === 'shipping') this.trackingNumber = (result as { trackingNumber?: string }).trackingNumber;
      return result;
    } catch (err) {
      this.status.steps[step] = isCancellation(err) ? 'CANCELLED' : 'FAILED';
      throw err;
    }
  }

  /**
   * Runs one warehouse's branch of the fan-out. The branches run at the same time, each with its own
   * entry in `status`; the first one that fails (not one cancelled because of it) is where the order
   * failed.
   */
  async branch<T>(warehouse: string, run: () => Promise<T>): Promise<T> {
    this.reached = 'inventory';
    this.status.state = 'RESERVING';
    try {
      return await this.mirrorBranch(warehouse, run);
    } catch (err) {
      if (!isCancellation(err)) this.failedAt ??= `inventory@${warehouse}`;
      throw err;
    }
  }

  /**
   * Runs `run` and mirrors it in the warehouse's entry of `status`: RESERVING while it runs, then
   * RESERVED, FAILED (with the reason) or CANCELLED. While the branches run, `status` lists every
   * warehouse as RESERVING at the same time.
   */
  private async mirrorBranch<T>(warehouse: string, run: () => Promise<T>): Promise<T> {
    const branch = this.branchOf(warehouse);
    branch.state = 'RESERVING';
    try {
      const result = await run();
      branch.state = 'RESERVED';
      return result;
    } catch (err) {
      branch.state = isCancellation(err) ? 'CANCELLED' : 'FAILED';
      if (branch.state === 'FAILED') branch.error = rootCauseMessage(err);
      throw err;
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

  /** `what` was undone: `payment`, `shipping` or a warehouse. */
  undone(what: string): void {
    if (what === 'payment' || what === 'shipping') this.status.steps[what] = 'COMPENSATED';
    else this.branchOf(what).state = 'RELEASED';
  }

  completed(): OrderResult {
    this.status.state = 'COMPLETED';
    return this.result();
  }

  /**
   * What to throw once the undos have run: the cancellation itself (the order ends as Cancelled), or
   * an OrderFailed failure that says where and why and carries the result in its details.
   */
  failed(err: unknown): unknown {
    if (isCancellation(err) || CancellationScope.current().consideredCancelled) {
      this.status.state = 'CANCELLED';
      return isCancellation(err)
        ? err
        : new CancelledFailure(`order ${this.orderId} cancelled (${rootCauseMessage(err)})`);
    }
    this.status.state = 'FAILED';
    const where = this.failedAt ?? this.reached;
    return orderFailed(this.orderId, where, err, { ...this.result(), error: `${where}: ${rootCauseMessage(err)}` });
  }

  /** The entry of `warehouse` (every warehouse the order needs has one, made in the constructor). */
  private branchOf(warehouse: string): BranchStatus {
    return this.status.reservations.find((b) => b.warehouse === warehouse)!;
  }

  private result(): OrderResult {
    const s = this.status;
    return {
      orderId: s.orderId,
      status: s.state === 'COMPLETED' ? 'COMPLETED' : s.state === 'CANCELLED' ? 'CANCELLED' : 'FAILED',
      totalCents: s.totalCents ?? 0,
      shippingCents: this.shippingCents,
      ...(this.chargeId ? { chargeId: this.chargeId } : {}),
      reservations: s.reservations.map((b) => ({ ...b })),
      ...(this.trackingNumber ? { trackingNumber: this.trackingNumber } : {}),
      compensations: s.compensations.map((c) => ({ ...c })),
      warnings: [...s.warnings],
    };
  }
}
