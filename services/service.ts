/**
 * What every simulated service shares: one call to the outside world, counted in the ledger, delayed
 * and faulted as the plans say, and the fences an undo leaves for a step that is still on its way.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LatencyPlan } from './latency';
import type { Ledger } from './ledger';
import { REFUSED_LATE } from './audit';
import { ServiceError, TransientServiceError, UndoneBeforeArrivalError, ValidationError } from './errors';
import { currentAttempt, FaultPlan, FaultStep } from './faults';

/** What a caller may pass with any call: its AbortSignal (an activity's cancellationSignal). */
export interface CallOptions {
  signal?: AbortSignal;
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
   * `branch`: the part of the order the call is for, when the step has several (a warehouse): faults
   * and latency are then drawn for that branch (`inventory.east`), so two branches fail independently.
   */
  protected async call<T>(
    step: FaultStep,
    key: string,
    orderId: string,
    effect: () => T,
    signal?: AbortSignal,
    branch?: string,
  ): Promise<T> {
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

  /**
   * An undo that finds nothing to undo fences the step's key: the step may still be on its way (an
   * attempt that outlived its timeout), and when it arrives it must be refused, not land after its undo.
   * Idempotency keys alone cannot do this: they stop a second effect, not a first one that is late.
   */
  protected fence(step: FaultStep, key: string, undoKey: string, orderId: string): void {
    this.ledger.run(
      'INSERT OR IGNORE INTO fences (step, idem_key, undo_key, order_id) VALUES (?, ?, ?, ?)',
      step,
      key,
      undoKey,
      orderId,
    );
  }

  /** Refuses a step whose undo has already run (see fence()). */
  protected refuseIfFenced(step: FaultStep, key: string, what: string): void {
    const fence = this.ledger.get<{ undoKey: string }>(
      'SELECT undo_key AS undoKey FROM fences WHERE step = ? AND idem_key = ?',
      step,
      key,
    );
    if (fence) throw new UndoneBeforeArrivalError(what, key, fence.undoKey);
  }
}
