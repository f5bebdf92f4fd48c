import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { PaymentInput, PaymentResult } from '../shared';
import { STEP_OPTIONS } from './options';
import { runTracked } from './child';

const { chargePayment } = proxyActivities<Activities>(STEP_OPTIONS);

/** Child 1: charge the customer once, whatever happens to the network. */
export async function paymentWorkflow(input: PaymentInput): Promise<PaymentResult> {
  // TODO Part A: do the work of this child through the `chargePayment` activity and return its result.
  //   - Wrap it in runTracked(input.orderId, work, describe) from ./child: it hands `work` the child's own
  //     workflow ID to use as the idempotency key, and keeps the child's `status` query up to date.
  //   - work:     (idempotencyKey) => chargePayment({ idempotencyKey, orderId: input.orderId, amountCents: input.amountCents, paymentToken: input.paymentToken })
  //   - describe: a short text for the status, e.g. `charged ${charge.amountCents} cents (${charge.chargeId})`
  throw ApplicationFailure.nonRetryable('TODO Part A: paymentWorkflow is not written yet', 'NotImplemented');
  // END TODO Part A
}
