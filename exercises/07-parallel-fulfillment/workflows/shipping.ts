import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ShippingInput, ShippingResult } from '../shared';
import { STEP_OPTIONS } from './options';
import { runTracked } from './child';

const { arrangeShipment } = proxyActivities<Activities>(STEP_OPTIONS);

/** Child 3: book the carrier and get a tracking number. */
export async function shippingWorkflow(input: ShippingInput): Promise<ShippingResult> {
  return runTracked(
    input.orderId,
    (idempotencyKey) =>
      arrangeShipment({ idempotencyKey, orderId: input.orderId, address: input.address, itemCount: input.itemCount }),
    (shipment) => `shipped with ${shipment.carrier}, tracking ${shipment.trackingNumber}`,
  );
}
