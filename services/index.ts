/**
 * The simulated outside world: a payment gateway, an inventory system, a shipping carrier, a
 * mailer and a fraud screen, all writing to one SQLite ledger, with reproducible fault injection.
 *
 * Every call carries an idempotency key. Repeating a call with the same key returns the first
 * result and changes nothing, just as real payment and shipping APIs behave, which is what makes
 * retrying safe. Every call is counted in the ledger: the attempt number that the fault plan sees
 * is "how many times this step was called with this key", whoever the caller is.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AlreadyUndoneError,
  CardDeclinedError,
  ChargeDisputedError,
  FraudSuspectedError,
  OutOfStockError,
  ServiceError,
  TransientServiceError,
  UndeliverableAddressError,
  UndoneBeforeArrivalError,
  ValidationError,
} from './errors';
import { currentAttempt, FaultPlan, FaultStep } from './faults';
import { LatencyPlan } from './latency';
import { Ledger, REFUSED_LATE } from './ledger';
import { Address, LineItem, Order, findCatalogEntry, itemCount, orderProblems, orderTotalCents } from './orders';

export * from './errors';
export * from './faults';
export * from './latency';
export * from './ledger';
export * from './orders';
export * from './warehouses';

/** A short stable id derived from a key, so runs are reproducible byte for byte. */
function derivedId(prefix: string, key: string): string {
  return `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

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

abstract class Service {
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

// ---------------------------------------------------------------------------------------------
// Order validation (the `validate` step): checks the order against the catalog.

export interface ValidatedOrder {
  orderId: string;
  totalCents: number;
  itemCount: number;
}

export class OrderDesk extends Service {
  /** Throws ValidationError naming the first bad field; counts as one `validate` call. */
  async validate(
    request: { idempotencyKey: string; order: Order },
    options: CallOptions = {},
  ): Promise<ValidatedOrder> {
    const order = request.order;
    const orderId = typeof order?.orderId === 'string' && order.orderId ? order.orderId : '(no id)';
    return this.call(
      'validate',
      request.idempotencyKey,
      orderId,
      () => {
        const problems = orderProblems(order);
        if (problems.length > 0) throw new ValidationError(problems[0].field, problems[0].reason);
        return {
          orderId: order.orderId,
          totalCents: orderTotalCents(order.items),
          itemCount: itemCount(order.items),
        };
      },
      options.signal,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Fraud screen (the `fraud` step): asks whether the card looks stolen, before anything is charged.

export interface FraudCheckRequest {
  idempotencyKey: string;
  orderId: string;
  amountCents: number;
  paymentToken: string;
  email: string;
}

export interface FraudVerdict {
  orderId: string;
  /** 0 (safe) to 99 (certainly fraud); the screen refuses 80 and above. */
  riskScore: number;
}

/** The risk score at which the screen refuses an order. */
export const FRAUD_REFUSED_AT = 80;

export class FraudScreen extends Service {
  /**
   * Scores the order and throws FraudSuspectedError (a business error) when the card looks stolen: the
   * demo's token `tok_fraud`. A check changes nothing, so asking twice is harmless; the call is counted
   * like any other, and faults and latency apply to it (`fraud=…`).
   */
  async check(request: FraudCheckRequest, options: CallOptions = {}): Promise<FraudVerdict> {
    return this.call(
      'fraud',
      request.idempotencyKey,
      request.orderId,
      () => {
        // The same order always gets the same score: 0-29 from its ID, 97 for the stolen card.
        const riskScore =
          request.paymentToken === 'tok_fraud'
            ? 97
            : createHash('sha256').update(request.orderId).digest().readUInt8(0) % 30;
        if (riskScore >= FRAUD_REFUSED_AT) throw new FraudSuspectedError(request.orderId, riskScore);
        return { orderId: request.orderId, riskScore };
      },
      options.signal,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Payment gateway

export interface ChargeRequest {
  idempotencyKey: string;
  orderId: string;
  amountCents: number;
  paymentToken: string;
}

export interface ChargeReceipt {
  chargeId: string;
  orderId: string;
  amountCents: number;
}

export interface RefundRequest {
  idempotencyKey: string;
  orderId: string;
  /** The idempotency key the charge was made with. */
  chargeKey: string;
}

export interface RefundReceipt {
  /** False when there was nothing to refund (the charge never happened). */
  refunded: boolean;
  refundId?: string;
  amountCents: number;
}

export class PaymentGateway extends Service {
  async charge(request: ChargeRequest, options: CallOptions = {}): Promise<ChargeReceipt> {
    if (!Number.isInteger(request.amountCents) || request.amountCents <= 0) {
      throw new ValidationError('amountCents', `must be a whole number of cents above 0 (got ${request.amountCents})`);
    }
    return this.call(
      'payment',
      request.idempotencyKey,
      request.orderId,
      () => {
        const existing = this.ledger.get<ChargeReceipt & { refunded: number }>(
          `SELECT c.charge_id AS chargeId, c.order_id AS orderId, c.amount_cents AS amountCents,
                (r.charge_id IS NOT NULL) AS refunded
         FROM charges c LEFT JOIN refunds r ON r.charge_id = c.charge_id WHERE c.idem_key = ?`,
          request.idempotencyKey,
        );
        if (existing?.refunded) throw new AlreadyUndoneError('the charge', request.idempotencyKey);
        if (existing)
          return { chargeId: existing.chargeId, orderId: existing.orderId, amountCents: existing.amountCents };
        this.refuseIfFenced('payment', request.idempotencyKey, 'the payment');
        if (request.paymentToken === 'tok_declined') throw new CardDeclinedError(request.orderId);
        const chargeId = derivedId('ch', request.idempotencyKey);
        this.ledger.run(
          'INSERT INTO charges (charge_id, idem_key, order_id, amount_cents) VALUES (?, ?, ?, ?)',
          chargeId,
          request.idempotencyKey,
          request.orderId,
          request.amountCents,
        );
        // The demo's disputing cardholder: the charge goes through, and is disputed at once.
        if (request.paymentToken === 'tok_disputed') {
          this.ledger.run('INSERT INTO disputes (charge_id, order_id) VALUES (?, ?)', chargeId, request.orderId);
        }
        return { chargeId, orderId: request.orderId, amountCents: request.amountCents };
      },
      options.signal,
    );
  }

  /**
   * Refunds the charge made with `chargeKey`, if there is one. Safe to call when nothing was charged.
   * A disputed charge (token `tok_disputed`) is refused with ChargeDisputedError, a business error.
   */
  async refund(request: RefundRequest, options: CallOptions = {}): Promise<RefundReceipt> {
    return this.call(
      'refund',
      request.idempotencyKey,
      request.orderId,
      () => {
        const charge = this.ledger.get<{ chargeId: string; amountCents: number }>(
          'SELECT charge_id AS chargeId, amount_cents AS amountCents FROM charges WHERE idem_key = ?',
          request.chargeKey,
        );
        if (!charge) {
          // Nothing charged yet: cancel the payment intent, so a charge still on its way is refused.
          this.fence('payment', request.chargeKey, request.idempotencyKey, request.orderId);
          return { refunded: false, amountCents: 0 };
        }
        const existing = this.ledger.get<{ refundId: string; amountCents: number }>(
          'SELECT refund_id AS refundId, amount_cents AS amountCents FROM refunds WHERE charge_id = ?',
          charge.chargeId,
        );
        if (existing) return { refunded: true, ...existing };
        if (this.ledger.get('SELECT 1 FROM disputes WHERE charge_id = ?', charge.chargeId)) {
          throw new ChargeDisputedError(charge.chargeId, request.orderId);
        }
        const refundId = derivedId('re', request.idempotencyKey);
        this.ledger.run(
          'INSERT INTO refunds (refund_id, idem_key, charge_id, order_id, amount_cents) VALUES (?, ?, ?, ?, ?)',
          refundId,
          request.idempotencyKey,
          charge.chargeId,
          request.orderId,
          charge.amountCents,
        );
        return { refunded: true, refundId, amountCents: charge.amountCents };
      },
      options.signal,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Inventory

export interface ReserveRequest {
  idempotencyKey: string;
  orderId: string;
  items: Pick<LineItem, 'sku' | 'quantity'>[];
  /**
   * The warehouse the reservation is made at (services/warehouses.ts), when the caller reserves per
   * warehouse: faults and latency are then drawn for `inventory.<warehouse>`. Without it, as before.
   */
  warehouse?: string;
}

export interface Reservation {
  reservationId: string;
  orderId: string;
  itemCount: number;
}

export interface ReleaseRequest {
  idempotencyKey: string;
  orderId: string;
  /** The idempotency key the reservation was made with. */
  reservationKey: string;
  /** The warehouse of that reservation, when it was made at one: faults are drawn for `release.<warehouse>`. */
  warehouse?: string;
}

export interface ReleaseReceipt {
  /** False when there was nothing to release (the reservation never happened). */
  released: boolean;
  itemCount: number;
}

export class Inventory extends Service {
  async reserve(request: ReserveRequest, options: CallOptions = {}): Promise<Reservation> {
    return this.call(
      'inventory',
      request.idempotencyKey,
      request.orderId,
      () => {
        const existing = this.ledger.get<Reservation & { released: number }>(
          `SELECT v.reservation_id AS reservationId, v.order_id AS orderId, v.item_count AS itemCount,
                (r.reservation_id IS NOT NULL) AS released
         FROM reservations v LEFT JOIN releases r ON r.reservation_id = v.reservation_id WHERE v.idem_key = ?`,
          request.idempotencyKey,
        );
        if (existing?.released) throw new AlreadyUndoneError('the reservation', request.idempotencyKey);
        if (existing)
          return { reservationId: existing.reservationId, orderId: existing.orderId, itemCount: existing.itemCount };
        this.refuseIfFenced('inventory', request.idempotencyKey, 'the reservation');
        // Two lines of the same SKU draw on the same shelf: check the total per SKU.
        const wanted = new Map<string, number>();
        for (const item of request.items) {
          if (!findCatalogEntry(item.sku)) throw new ValidationError('items.sku', `is not a known SKU (${item.sku})`);
          if (!Number.isInteger(item.quantity) || item.quantity <= 0) {
            throw new ValidationError('items.quantity', `must be a whole number above 0 (got ${item.quantity})`);
          }
          wanted.set(item.sku, (wanted.get(item.sku) ?? 0) + item.quantity);
        }
        for (const [sku, quantity] of wanted) {
          const available = this.ledger.stockOf(sku);
          if (available < quantity) throw new OutOfStockError(sku, quantity, available);
        }
        for (const [sku, quantity] of wanted) {
          this.ledger.run('UPDATE stock SET on_hand = on_hand - ? WHERE sku = ?', quantity, sku);
        }
        const reservationId = derivedId('rsv', request.idempotencyKey);
        const count = request.items.reduce((sum, item) => sum + item.quantity, 0);
        this.ledger.run(
          'INSERT INTO reservations (reservation_id, idem_key, order_id, items_json, item_count) VALUES (?, ?, ?, ?, ?)',
          reservationId,
          request.idempotencyKey,
          request.orderId,
          JSON.stringify(request.items.map(({ sku, quantity }) => ({ sku, quantity }))),
          count,
        );
        return { reservationId, orderId: request.orderId, itemCount: count };
      },
      options.signal,
      request.warehouse,
    );
  }

  /** Puts the stock of the reservation made with `reservationKey` back, if there is one. */
  async release(request: ReleaseRequest, options: CallOptions = {}): Promise<ReleaseReceipt> {
    return this.call(
      'release',
      request.idempotencyKey,
      request.orderId,
      () => {
        const reservation = this.ledger.get<{ reservationId: string; itemsJson: string; itemCount: number }>(
          'SELECT reservation_id AS reservationId, items_json AS itemsJson, item_count AS itemCount FROM reservations WHERE idem_key = ?',
          request.reservationKey,
        );
        if (!reservation) {
          // Nothing reserved yet: release the hold anyway, so a reservation still on its way is refused.
          this.fence('inventory', request.reservationKey, request.idempotencyKey, request.orderId);
          return { released: false, itemCount: 0 };
        }
        const already = this.ledger.get('SELECT 1 FROM releases WHERE reservation_id = ?', reservation.reservationId);
        if (already) return { released: true, itemCount: reservation.itemCount };
        for (const item of JSON.parse(reservation.itemsJson) as { sku: string; quantity: number }[]) {
          this.ledger.run('UPDATE stock SET on_hand = on_hand + ? WHERE sku = ?', item.quantity, item.sku);
        }
        this.ledger.run(
          'INSERT INTO releases (idem_key, reservation_id, order_id) VALUES (?, ?, ?)',
          request.idempotencyKey,
          reservation.reservationId,
          request.orderId,
        );
        return { released: true, itemCount: reservation.itemCount };
      },
      options.signal,
      request.warehouse,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Shipping carrier

export interface ShipmentRequest {
  idempotencyKey: string;
  orderId: string;
  address: Address;
  itemCount: number;
}

export interface Shipment {
  shipmentId: string;
  orderId: string;
  trackingNumber: string;
  carrier: string;
}

export interface CancelShipmentRequest {
  idempotencyKey: string;
  orderId: string;
  /** The idempotency key the shipment was arranged with. */
  shipmentKey: string;
}

export class ShippingCarrier extends Service {
  async arrange(request: ShipmentRequest, options: CallOptions = {}): Promise<Shipment> {
    return this.call(
      'shipping',
      request.idempotencyKey,
      request.orderId,
      () => {
        const existing = this.ledger.get<Shipment>(
          'SELECT shipment_id AS shipmentId, order_id AS orderId, tracking_number AS trackingNumber, carrier FROM shipments WHERE idem_key = ?',
          request.idempotencyKey,
        );
        if (existing) return existing;
        this.refuseIfFenced('shipping', request.idempotencyKey, 'the shipment');
        // The carrier's rule for the demo: postal code 00000 does not exist.
        if (request.address?.postalCode === '00000') {
          throw new UndeliverableAddressError(`postal code ${request.address.postalCode} does not exist`);
        }
        const shipmentId = derivedId('shp', request.idempotencyKey);
        const trackingNumber = `1Z${createHash('sha256').update(request.idempotencyKey).digest('hex').slice(0, 10).toUpperCase()}`;
        const carrier = 'Parcel Express';
        this.ledger.run(
          'INSERT INTO shipments (shipment_id, idem_key, order_id, tracking_number, carrier) VALUES (?, ?, ?, ?, ?)',
          shipmentId,
          request.idempotencyKey,
          request.orderId,
          trackingNumber,
          carrier,
        );
        return { shipmentId, orderId: request.orderId, trackingNumber, carrier };
      },
      options.signal,
    );
  }

  /** Cancels the shipment arranged with `shipmentKey`, if there is one. */
  async cancel(request: CancelShipmentRequest, options: CallOptions = {}): Promise<{ cancelled: boolean }> {
    return this.call(
      'cancelShipment',
      request.idempotencyKey,
      request.orderId,
      () => {
        const shipment = this.ledger.get<{ shipmentId: string }>(
          'SELECT shipment_id AS shipmentId FROM shipments WHERE idem_key = ?',
          request.shipmentKey,
        );
        if (!shipment) {
          // Nothing booked yet: cancel the booking anyway, so a booking still on its way is refused.
          this.fence('shipping', request.shipmentKey, request.idempotencyKey, request.orderId);
          return { cancelled: false };
        }
        this.ledger.run(
          'INSERT OR IGNORE INTO shipment_cancellations (idem_key, shipment_id, order_id) VALUES (?, ?, ?)',
          request.idempotencyKey,
          shipment.shipmentId,
          request.orderId,
        );
        return { cancelled: true };
      },
      options.signal,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Mailer

export interface ConfirmationRequest {
  idempotencyKey: string;
  orderId: string;
  email: string;
  trackingNumber: string;
}

export interface Notification {
  notificationId: string;
  email: string;
}

export class Mailer extends Service {
  async sendConfirmation(request: ConfirmationRequest, options: CallOptions = {}): Promise<Notification> {
    return this.call(
      'notification',
      request.idempotencyKey,
      request.orderId,
      () => {
        const existing = this.ledger.get<Notification>(
          'SELECT notification_id AS notificationId, email FROM notifications WHERE idem_key = ?',
          request.idempotencyKey,
        );
        if (existing) return existing;
        const notificationId = derivedId('msg', request.idempotencyKey);
        this.ledger.run(
          'INSERT INTO notifications (notification_id, idem_key, order_id, email, subject) VALUES (?, ?, ?, ?, ?)',
          notificationId,
          request.idempotencyKey,
          request.orderId,
          request.email,
          `Your order ${request.orderId} has shipped (tracking ${request.trackingNumber})`,
        );
        return { notificationId, email: request.email };
      },
      options.signal,
    );
  }
}

// ---------------------------------------------------------------------------------------------

export interface Services {
  ledger: Ledger;
  faults: FaultPlan;
  latency: LatencyPlan;
  orderDesk: OrderDesk;
  payment: PaymentGateway;
  inventory: Inventory;
  shipping: ShippingCarrier;
  mailer: Mailer;
  fraud: FraudScreen;
  close(): void;
}

export function createServices(options: ServiceOptions): Services {
  return {
    ledger: options.ledger,
    faults: options.faults,
    latency: options.latency ?? LatencyPlan.none(),
    orderDesk: new OrderDesk(options),
    payment: new PaymentGateway(options),
    inventory: new Inventory(options),
    shipping: new ShippingCarrier(options),
    mailer: new Mailer(options),
    fraud: new FraudScreen(options),
    close: () => options.ledger.close(),
  };
}
