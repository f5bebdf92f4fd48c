/** The payment gateway: charges a card, and refunds the charge when an order is undone. */
import { CardDeclinedError, ChargeDisputedError, ValidationError } from './errors';
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
    return this.call('payment', request, options, () => {
      const earlier = this.earlier<ChargeReceipt>(
        'payment',
        request,
        `SELECT c.charge_id AS chargeId, c.order_id AS orderId, c.amount_cents AS amountCents,
                (r.charge_id IS NOT NULL) AS undone
         FROM charges c LEFT JOIN refunds r ON r.charge_id = c.charge_id WHERE c.idem_key = ?`,
        'the payment',
        'the charge',
      );
      if (earlier) return earlier;
      if (request.paymentToken === 'tok_declined') throw new CardDeclinedError(request.orderId);
      const chargeId = derivedId('ch', request.idempotencyKey);
      this.record('charges', request, { charge_id: chargeId, amount_cents: request.amountCents });
      // The demo's disputing cardholder: the charge goes through, and is disputed at once.
      if (request.paymentToken === 'tok_disputed') {
        this.ledger.run('INSERT INTO disputes (charge_id, order_id) VALUES (?, ?)', chargeId, request.orderId);
      }
      return { chargeId, orderId: request.orderId, amountCents: request.amountCents };
    });
  }

  /**
   * Refunds the charge made with `chargeKey`, if there is one. Safe to call when nothing was charged.
   * A disputed charge (token `tok_disputed`) is refused with ChargeDisputedError, a business error.
   */
  async refund(request: RefundRequest, options: CallOptions = {}): Promise<RefundReceipt> {
    return this.call('refund', request, options, () => {
      // Nothing charged yet: cancel the payment intent, so a charge still on its way is refused.
      const charge = this.toUndo<{ chargeId: string; amountCents: number }>(
        'payment',
        request.chargeKey,
        request,
        'SELECT charge_id AS chargeId, amount_cents AS amountCents FROM charges WHERE idem_key = ?',
      );
      if (!charge) return { refunded: false, amountCents: 0 };
      const existing = this.ledger.get<{ refundId: string; amountCents: number }>(
        'SELECT refund_id AS refundId, amount_cents AS amountCents FROM refunds WHERE charge_id = ?',
        charge.chargeId,
      );
      if (existing) return { refunded: true, ...existing };
      if (this.ledger.get('SELECT 1 FROM disputes WHERE charge_id = ?', charge.chargeId)) {
        throw new ChargeDisputedError(charge.chargeId, request.orderId);
      }
      const refundId = derivedId('re', request.idempotencyKey);
      const amountCents = charge.amountCents;
      this.record('refunds', request, { refund_id: refundId, charge_id: charge.chargeId, amount_cents: amountCents });
      return { refunded: true, refundId, amountCents };
    });
  }
}
