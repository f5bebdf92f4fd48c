/** The payment gateway: charges a card, and refunds the charge when an order is undone. */
import { AlreadyUndoneError, CardDeclinedError, ChargeDisputedError, ValidationError } from './errors';
import { CallOptions, Service } from './service';
import { derivedId } from './stable-ids';

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
