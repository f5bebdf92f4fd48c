/**
 * The kit's errors: the base class of every expected error (KitError), and the errors the simulated
 * outside world raises (ServiceError).
 */

/**
 * An expected error: a bad flag, a bad setting, no server, an order that already ran. Its message is
 * written for people, so a command prints it as one line (`error: …`) and exits with `exitCode`, without
 * a stack trace; any other error is a bug and keeps its stack. It lives here, at the bottom layer, so
 * that every folder can extend it.
 */
export class KitError extends Error {
  /** What the command exits with: 2 for every usage or settings problem (a bug exits 1). */
  readonly exitCode: number = 2;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    // The subclass's own name (`UsageError`, `LedgerError`, …), as a stack trace or a log line shows it.
    this.name = new.target.name;
  }
}

/**
 * An error of the simulated outside world.
 *
 * `retryable` is the service's own verdict: a timeout or an outage may succeed on a later attempt;
 * a declined card, an unknown SKU or an undeliverable address never will. Callers (activities)
 * turn the second kind into non-retryable failures so Temporal does not retry them.
 */
export abstract class ServiceError extends Error {
  abstract readonly retryable: boolean;
  /** A stable code, used as the Temporal failure type by the activities. */
  abstract readonly code: string;
}

/** A fault injected by the fault plan: the service timed out or was unavailable. */
export class TransientServiceError extends ServiceError {
  readonly retryable = true;
  readonly code = 'ServiceUnavailable';
  constructor(
    readonly step: string,
    readonly attempt: number,
    /** True when the effect happened before the error (an `after:N` fault). */
    readonly effectApplied: boolean,
  ) {
    super(
      effectApplied
        ? `${step} service timed out after doing the work (attempt ${attempt})`
        : `${step} service unavailable (attempt ${attempt})`,
    );
    this.name = 'TransientServiceError';
  }
}

/** The order itself is wrong. Names the offending field. */
export class ValidationError extends ServiceError {
  readonly retryable = false;
  readonly code = 'InvalidOrder';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid order: ${field} ${reason}`);
    this.name = 'ValidationError';
  }
}

export class CardDeclinedError extends ServiceError {
  readonly retryable = false;
  readonly code = 'CardDeclined';
  constructor(readonly orderId: string) {
    super(`card declined for order ${orderId}`);
    this.name = 'CardDeclinedError';
  }
}

/**
 * The fraud screen refuses the order: the card looks stolen (the demo's token `tok_fraud`). Nothing was
 * charged; retrying asks the same question and gets the same answer.
 */
export class FraudSuspectedError extends ServiceError {
  readonly retryable = false;
  readonly code = 'FraudSuspected';
  constructor(
    readonly orderId: string,
    readonly score: number,
  ) {
    super(`fraud suspected for order ${orderId} (risk score ${score})`);
    this.name = 'FraudSuspectedError';
  }
}

/**
 * The cardholder disputed the charge (a chargeback). A gateway refuses to refund a disputed charge: the
 * money goes back through the dispute, which a person settles. Retrying cannot change that.
 */
export class ChargeDisputedError extends ServiceError {
  readonly retryable = false;
  readonly code = 'ChargeDisputed';
  constructor(
    readonly chargeId: string,
    readonly orderId: string,
  ) {
    super(
      `charge ${chargeId} for order ${orderId} is disputed by the cardholder: it cannot be refunded, the dispute settles it`,
    );
    this.name = 'ChargeDisputedError';
  }
}

export class OutOfStockError extends ServiceError {
  readonly retryable = false;
  readonly code = 'OutOfStock';
  constructor(
    readonly sku: string,
    readonly requested: number,
    readonly available: number,
  ) {
    super(`out of stock: ${sku} (requested ${requested}, available ${available})`);
    this.name = 'OutOfStockError';
  }
}

export class UndeliverableAddressError extends ServiceError {
  readonly retryable = false;
  readonly code = 'UndeliverableAddress';
  constructor(readonly reason: string) {
    super(`address undeliverable: ${reason}`);
    this.name = 'UndeliverableAddressError';
  }
}

/**
 * A call reuses the idempotency key of something that was already undone: a refunded charge, a
 * released reservation. Returning it as if it were live would ship goods nobody paid for, so the
 * service refuses; a new order (a new order ID) gets new keys.
 */
export class AlreadyUndoneError extends ServiceError {
  readonly retryable = false;
  readonly code = 'AlreadyUndone';
  constructor(what: string, key: string) {
    super(`${what} made with key ${key} was already undone; it is never reused: start a new order ID`);
    this.name = 'AlreadyUndoneError';
  }
}

/**
 * A step arrived after its undo had already run. The undo found nothing to undo and fenced the step's
 * key, as real services do: a cancelled payment intent cannot be captured, a released hold cannot be
 * taken, a cancelled booking cannot be made. So the late step is refused and changes nothing; without
 * the fence it would land after its refund and leave the customer charged for an order that failed.
 */
export class UndoneBeforeArrivalError extends ServiceError {
  readonly retryable = false;
  readonly code = 'UndoneBeforeArrival';
  constructor(what: string, key: string, undoKey: string) {
    super(`${what} with key ${key} arrived after ${undoKey} had cancelled it: refused, nothing was done`);
    this.name = 'UndoneBeforeArrivalError';
  }
}

/** The ledger file cannot be opened or written. */
export class LedgerError extends KitError {}
