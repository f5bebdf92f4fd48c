/**
 * The fraud screen (the `fraud` step lesson 08 adds before payment): the stolen card is refused with a
 * business error, every other order gets the same low score every time, and faults apply to it.
 */
import { expect } from 'chai';
import { FaultPlan, FraudSuspectedError, sampleOrder, TransientServiceError } from '../../services';
import { isBusinessError } from '../../common/failures';
import { freshServices } from '../support/harness';

function request(orderId: string, paymentToken = 'tok_visa') {
  const order = sampleOrder(orderId);
  return {
    idempotencyKey: `fraud-${orderId}`,
    orderId,
    amountCents: 105_997,
    paymentToken,
    email: order.customer.email,
  };
}

describe('the fraud screen', () => {
  it('scores an ordinary order below the refusal line, the same every time, and records the call', async () => {
    const services = freshServices();
    try {
      const first = await services.fraud.check(request('ORDER-001'));
      const again = await services.fraud.check(request('ORDER-001'));
      expect(first).to.deep.equal(again);
      expect(first.riskScore).to.be.within(0, 29);
      expect(services.ledger.calls({ step: 'fraud' }).map((c) => c.outcome)).to.deep.equal(['ok', 'ok']);
      expect(services.ledger.audit().charges).to.have.length(0);
    } finally {
      services.close();
    }
  });

  it('refuses the stolen card (tok_fraud) with a business error', async () => {
    const services = freshServices();
    try {
      const err = await services.fraud.check(request('ORDER-002', 'tok_fraud')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(FraudSuspectedError);
      expect(isBusinessError(err)).to.equal(true);
      expect((err as Error).message).to.equal('fraud suspected for order ORDER-002 (risk score 97)');
    } finally {
      services.close();
    }
  });

  it('meets the faults ORDER_FAULTS gives the fraud step', async () => {
    const services = freshServices(FaultPlan.parse('fraud=first:1'));
    try {
      const err = await services.fraud.check(request('ORDER-003')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(TransientServiceError);
      expect((await services.fraud.check(request('ORDER-003'))).riskScore).to.be.within(0, 29);
    } finally {
      services.close();
    }
  });
});
