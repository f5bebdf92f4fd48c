import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { NotificationInput, NotificationResult } from '../shared';
import { STEP_OPTIONS } from './options';
import { runTracked } from './child';

const { sendConfirmation } = proxyActivities<Activities>(STEP_OPTIONS);

/** Child 4: tell the customer. The parent treats a failure here as a warning, not a failed order. */
export async function notificationWorkflow(input: NotificationInput): Promise<NotificationResult> {
  return runTracked(
    input.orderId,
    (idempotencyKey) =>
      sendConfirmation({
        idempotencyKey,
        orderId: input.orderId,
        email: input.email,
        trackingNumber: input.trackingNumber,
      }),
    (sent) => `confirmation sent (${sent.notificationId})`,
  );
}
