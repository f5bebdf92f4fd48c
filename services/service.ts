/**
 * What every simulated service shares: one call to the outside world, counted in the ledger, delayed
 * and faulted as the plans say; what a repeat of a step returns; and the fences an undo leaves for a step
 * that is still on its way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LatencyPlan } from './latency';
import type { Ledger, SqlValue } from './ledger';
import { REFUSED_LATE } from './audit';
import {
  AlreadyUndoneError,
  ServiceError,
  TransientServiceError,
  UndoneBeforeArrivalError,
  ValidationError,
} from './errors';
import { currentAttempt, FaultPlan, FaultStep } from './faults';

/** What a caller may pass with any call: its AbortSignal (an activity's cancellationSignal). */
export interface CallOptions {
  signal?: AbortSignal;
}

/** What every request names: the key that makes repeating it safe, and the order it is for. */
export interface KeyedRequest {
  idempotencyKey: string;
  orderId: string;
}

export interface ServiceOptions {
  ledger: Ledger;
  faults: FaultPlan;
  /** Simulated network latency per step (ORDER_LATENCY). Default: none. */
  latency?: LatencyPlan;
}

export abstract class Service {
  constructor(protected readonly options: ServiceOptions) {}

  protected get ledger(): Ledger {
    return this.options.ledger;
  }

  /**
   * One call to the outside world: count the attempt, wait for the request to arrive (ORDER_LATENCY),
   * consult the fault plan, run the effect in a transaction, and raise the injected error before or
   * after the effect as the plan says.
   *
   * `signal` is the caller's: when it aborts (the activity timed out or was cancelled), the caller stops
   * waiting at once. The request is already on its way, though, and still arrives, like a real one:
   * that is the late effect an undo must win against (see fence()).
   *
   * `branch` (with the options): the part of the order the call is for, when the step has several (a warehouse): faults
   * and latency are then drawn for that branch (`inventory.east`), so two branches fail independently.
   */
  protected async call<T>(
    step: FaultStep,
    request: KeyedRequest,
    { signal, branch }: CallOptions & { branch?: string },
    effect: () => T,
  ): Promise<T> {
    const { idempotencyKey: key, orderId } = request;
    if (typeof key !== 'string' || key.trim() === '') {
      throw new ValidationError('idempotencyKey', 'is required for every call');
    }
    signal?.throwIfAborted();
    const call = this.ledger.recordCall(step, key, orderId);
    // Which attempt this is, for the fault plan: under a worker, Temporal's own count (an attempt lost
    // with a crashed worker still counts), or the calls made with this key when those are more (an
    // undo retried in several rounds, each a new activity with attempts 1, 2, 3, is still on its 6th).
    const attempt = Math.max(currentAttempt() ?? 0, call);
    const arrival = this.arrive(step, key, orderId, call, attempt, effect, branch);
    if (!signal) return arrival;
    return new Promise<T>((resolve, reject) => {
      const abandon = () => {
        // Nobody waits for the answer any more; the request lands (or fails) on its own.
        arrival.catch(() => undefined);
        reject(signal.reason);
      };
      signal.addEventListener('abort', abandon, { once: true });
      arrival.then(resolve, reject).finally(() => signal.removeEventListener('abort', abandon));
    });
  }

  private async arrive<T>(
    step: FaultStep,
    key: string,
    orderId: string,
    call: number,
    attempt: number,
    effect: () => T,
    branch?: string,
  ): Promise<T> {
    const delayMs = this.options.latency?.delayMs(step, orderId, attempt, branch) ?? 0;
    if (delayMs > 0) await sleep(delayMs);
    const decision = this.options.faults.decide(step, orderId, attempt, branch);
    if (decision === 'fail-before') {
      const error = new TransientServiceError(step, attempt, false);
      this.ledger.finishCall(step, key, call, 'fault', error.message);
      throw error;
    }
    let result: T;
    try {
      result = this.ledger.transaction(effect);
    } catch (err) {
      const outcome =
        err instanceof UndoneBeforeArrivalError
          ? REFUSED_LATE
          : err instanceof ServiceError && !err.retryable
            ? 'rejected'
            : 'error';
      this.ledger.finishCall(step, key, call, outcome, err instanceof Error ? err.message : String(err));
      throw err;
    }
    if (decision === 'fail-after') {
      const error = new TransientServiceError(step, attempt, true);
      this.ledger.finishCall(step, key, call, 'fault-after-effect', error.message);
      throw error;
    }
    this.ledger.finishCall(step, key, call, 'ok');
    return result;
  }

  /** Writes the row a step leaves in the ledger: its own columns, with the request's key and order. */
  protected record(table: string, request: KeyedRequest, columns: Record<string, SqlValue>): void {
    this.ledger.insert(table, { ...columns, idem_key: request.idempotencyKey, order_id: request.orderId });
  }

  /**
   * What a forward step did for this request's key before (`sql` selects its row by key, with `undone`
   * true once its undo ran): a repeat returns it. An undone result is never handed out again, that would
   * ship goods nobody paid for (AlreadyUndoneError: a new order gets new keys); and a first call is
   * refused when its undo already ran (see toUndo()). Undefined: this is the first call, go ahead.
   */
  protected earlier<R extends object>(
    step: FaultStep,
    request: KeyedRequest,
    sql: string,
    what: string,
    undoneWhat = what,
  ): R | undefined {
    const key = request.idempotencyKey;
    const row = this.ledger.get<R & { undone?: number }>(sql, key);
    if (row?.undone) throw new AlreadyUndoneError(undoneWhat, key);
    if (row) {
      const { undone: _undone, ...result } = row;
      return result as R;
    }
    const fence = this.ledger.get<{ undoKey: string }>(
      'SELECT undo_key AS undoKey FROM fences WHERE step = ? AND idem_key = ?',
      step,
      key,
    );
    if (fence) throw new UndoneBeforeArrivalError(what, key, fence.undoKey);
    return undefined;
  }

  /**
   * The forward step's row an undo works on (`sql` selects it by that step's `key`). When there is none,
   * the undo fences the key and gets undefined: the step may still be on its way (an attempt that
   * outlived its timeout), and when it arrives it must be refused, not land after its undo.
   * Idempotency keys alone cannot do this: they stop a second effect, not a first one that is late.
   */
  protected toUndo<R>(step: FaultStep, key: string, undo: KeyedRequest, sql: string): R | undefined {
    const row = this.ledger.get<R>(sql, key);
    if (row) return row;
    this.ledger.run(
      'INSERT OR IGNORE INTO fences (step, idem_key, undo_key, order_id) VALUES (?, ?, ?, ?)',
      step,
      key,
      undo.idempotencyKey,
      undo.orderId,
    );
    return undefined;
  }
}
