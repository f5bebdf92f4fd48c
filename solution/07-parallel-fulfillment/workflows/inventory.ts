import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { InventoryInput, InventoryResult } from '../shared';
import { STEP_OPTIONS } from './options';
import { runTracked } from './child';

const { reserveInventory } = proxyActivities<Activities>(STEP_OPTIONS);

/** Child 2: reserve the stock. Its retries happen here, so payment is never run again. */
export async function inventoryWorkflow(input: InventoryInput): Promise<InventoryResult> {
  return runTracked(
    input.orderId,
    (idempotencyKey) => reserveInventory({ idempotencyKey, orderId: input.orderId, items: input.items }),
    (reservation) => `${reservation.itemCount} items reserved (${reservation.reservationId})`,
  );
}
