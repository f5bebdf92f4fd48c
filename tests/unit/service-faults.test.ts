/** Injected faults as the services meet them: before or after the effect, on the attempt the ledger counts. */
import { expect } from 'chai';
import { FaultPlan, runWithAttempt, Services, TransientServiceError } from '../../services';
import { freshServices } from '../support/harness';

describe('services: injected faults', () => {
  let services: Services;
  afterEach(() => services?.close());

  describe('fault injection', () => {
    it('after:N performs the effect and then errors', async () => {
      services = freshServices(FaultPlan.parse('payment=after:1'));
      const req = { idempotencyKey: 'k', orderId: 'O1', amountCents: 700, paymentToken: 'tok_visa' };
      const error = await services.payment.charge(req).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).to.be.instanceOf(TransientServiceError);
      expect((error as TransientServiceError).effectApplied).to.equal(true);
      expect(services.ledger.audit().charges).to.have.length(1);
      // The retry (attempt 2) succeeds and returns the same charge: still one charge.
      const receipt = await services.payment.charge(req);
      expect(receipt.amountCents).to.equal(700);
      expect(services.ledger.audit().charges).to.have.length(1);
      expect(services.ledger.calls({ step: 'payment' }).map((c) => [c.attempt, c.outcome])).to.deep.equal([
        [1, 'fault-after-effect'],
        [2, 'ok'],
      ]);
    });

    it('first:N fails before the effect: nothing is written until attempt N+1', async () => {
      services = freshServices(FaultPlan.parse('inventory=first:2'));
      const req = { idempotencyKey: 'inv', orderId: 'O1', items: [{ sku: 'LAPTOP-15', quantity: 1 }] };
      for (let i = 0; i < 2; i++) {
        await services.inventory.reserve(req).then(
          () => expect.fail('should have failed'),
          (err) => expect(err).to.be.instanceOf(TransientServiceError),
        );
        expect(services.ledger.audit().reservations).to.have.length(0);
      }
      await services.inventory.reserve(req);
      expect(services.ledger.audit().reservations).to.have.length(1);
    });

    it('the attempt number is counted per step and key, whoever calls', async () => {
      services = freshServices(FaultPlan.parse('payment=always'));
      for (const key of ['a', 'a', 'b']) {
        await services.payment
          .charge({ idempotencyKey: key, orderId: 'O', amountCents: 1, paymentToken: 't' })
          .catch(() => undefined);
      }
      expect(services.ledger.calls({ step: 'payment' }).map((c) => `${c.key}#${c.attempt}`)).to.deep.equal([
        'a#1',
        'a#2',
        'b#1',
      ]);
      expect(services.ledger.audit().totals.retriesByStep).to.deep.equal({ payment: 1 });
    });
  });

  describe('fault attempts under a worker', () => {
    it("count the larger of Temporal's attempt and the calls made with the key, so an undo retried in rounds recovers", async () => {
      services = freshServices(FaultPlan.parse('refund=first:5'));
      await services.payment.charge({ idempotencyKey: 'p', orderId: 'O', amountCents: 5, paymentToken: 't' });
      const refund = () => services.payment.refund({ idempotencyKey: 'r', orderId: 'O', chargeKey: 'p' });
      const outcomes: string[] = [];
      // Two rounds of one activity each, attempts 1, 2, 3 as Temporal numbers them.
      for (let round = 0; round < 2; round++) {
        for (let attempt = 1; attempt <= 3; attempt++) {
          const result = await runWithAttempt(attempt, refund).then(
            (r) => `refunded ${r.refunded}`,
            (e: Error) => e.message,
          );
          outcomes.push(result);
          if (result.startsWith('refunded')) break;
        }
      }
      expect(outcomes).to.deep.equal([
        'refund service unavailable (attempt 1)',
        'refund service unavailable (attempt 2)',
        'refund service unavailable (attempt 3)',
        'refund service unavailable (attempt 4)',
        'refund service unavailable (attempt 5)',
        'refunded true',
      ]);
      // And a worker's attempt number that is ahead of the ledger (an attempt lost in a crash) still counts.
      const crashed = await runWithAttempt(4, () =>
        services.payment.charge({ idempotencyKey: 'p2', orderId: 'O2', amountCents: 5, paymentToken: 't' }),
      );
      expect(crashed.amountCents).to.equal(5);
    });
  });
});
