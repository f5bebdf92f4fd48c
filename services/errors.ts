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

/**
 * The service's answer, not an accident: a declined card, an unknown SKU, an undeliverable address.
 * Retrying asks the same question and gets the same answer, so it is never retryable. `code` names it.
 */
export abstract class BusinessError extends ServiceError {
  readonly retryable = false;

  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    // The subclass's own name (`CardDeclinedError`, …), as a stack trace or a log line shows it.
    this.name = new.target.name;
  }
}

/** The order itself is wrong. Names the offending field. */
export class ValidationError extends BusinessError {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super('InvalidOrder', `invalid order: ${field} ${reason}`);
  }
}

export class CardDeclinedError extends BusinessError {
  constructor(readonly orderId: string) {
    super('CardDeclined', `card declined for order ${orderId}`);
  }
}

/**
 * The fraud screen refuses the order: the card looks stolen (the demo's token `tok_fraud`). Nothing was
 * charged; retrying asks the same question and gets the same answer.
 */
export class FraudSuspectedError extends BusinessError {
  constructor(
    readonly orderId: string,
    readonly score: number,
  ) {
    super('FraudSuspected', `fraud suspected for order ${orderId} (risk score ${score})`);
  }
}

/**
 * The cardholder disputed the charge (a chargeback). A gateway refuses to refund a disputed charge: the
 * money goes back through the dispute, which a person settles. Retrying cannot change that.
 */
export class ChargeDisputedError extends BusinessError {
  constructor(
    readonly chargeId: string,
    readonly orderId: string,
  ) {
    super(
      'ChargeDisputed',
      `charge ${chargeId} for order ${orderId} is disputed by the cardholder: it cannot be refunded, the dispute settles it`,
    );
  }
}

export class OutOfStockError extends BusinessError {
  constructor(
    readonly sku: string,
    readonly requested: number,
    readonly available: number,
  ) {
    super('OutOfStock', `out of stock: ${sku} (requested ${requested}, available ${available})`);
  }
}

export class UndeliverableAddressError extends BusinessError {
  constructor(readonly reason: string) {
    super('UndeliverableAddress', `address undeliverable: ${reason}`);
  }
}

/**
 * A call reuses the idempotency key of something that was already undone: a refunded charge, a
 * released reservation. Returning it as if it were live would ship goods nobody paid for, so the
 * service refuses; a new order (a new order ID) gets new keys.
 */
export class AlreadyUndoneError extends BusinessError {
  constructor(what: string, key: string) {
    super('AlreadyUndone', `${what} made with key ${key} was already undone; it is never reused: start a new order ID`);
  }
}

/**
 * A step arrived after its undo had already run. The undo found nothing to undo and fenced the step's
 * key, as real services do: a cancelled payment intent cannot be captured, a released hold cannot be
 * taken, a cancelled booking cannot be made. So the late step is refused and changes nothing; without
 * the fence it would land after its refund and leave the customer charged for an order that failed.
 */
export class UndoneBeforeArrivalError extends BusinessError {
  constructor(what: string, key: string, undoKey: string) {
    super(
      'UndoneBeforeArrival',
      `${what} with key ${key} arrived after ${undoKey} had cancelled it: refused, nothing was done`,
    );
  }
}

/** The ledger file cannot be opened or written. */
export class LedgerError extends KitError {}
