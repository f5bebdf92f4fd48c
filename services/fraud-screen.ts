/** The fraud screen (the `fraud` step): asks whether the card looks stolen, before anything is charged. */
import { FraudSuspectedError } from './errors';
import { CallOptions, Service } from './service';
import { digestOf } from './stable-ids';

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
    return this.call('fraud', request, options, () => {
      // The same order always gets the same score: 0-29 from its ID, 97 for the stolen card.
      const riskScore = request.paymentToken === 'tok_fraud' ? 97 : digestOf(request.orderId).readUInt8(0) % 30;
      if (riskScore >= FRAUD_REFUSED_AT) throw new FraudSuspectedError(request.orderId, riskScore);
      return { orderId: request.orderId, riskScore };
    });
  }
}
