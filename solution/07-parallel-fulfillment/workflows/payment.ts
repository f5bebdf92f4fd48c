import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PaymentInput, PaymentResult } from '../shared';
import { STEP_OPTIONS } from './options';
import { runTracked } from './child';

const { chargePayment } = proxyActivities<Activities>(STEP_OPTIONS);

/** Child 1: charge the customer once, whatever happens to the network. */
export async function paymentWorkflow(input: PaymentInput): Promise<PaymentResult> {
  return runTracked(
    input.orderId,
    (idempotencyKey) =>
      chargePayment({
        idempotencyKey,
        orderId: input.orderId,
        amountCents: input.amountCents,
        paymentToken: input.paymentToken,
      }),
    (charge) => `charged ${charge.amountCents} cents (${charge.chargeId})`,
  );
}
