import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { InventoryInput, InventoryResult } from '../shared';
import { STEP_OPTIONS } from './options';
import { runTracked } from './child';

const { reserveInventory } = proxyActivities<Activities>(STEP_OPTIONS);

/** Child 2: reserve the stock. Its retries happen here, so payment is never run again. */
export async function inventoryWorkflow(input: InventoryInput): Promise<InventoryResult> {
  // TODO Part A: do the work of this child through the `reserveInventory` activity and return its result.
  //   - Wrap it in runTracked(input.orderId, work, describe) from ./child: it hands `work` the child's own
  //     workflow ID to use as the idempotency key, and keeps the child's `status` query up to date.
  //   - work:     (idempotencyKey) => reserveInventory({ idempotencyKey, orderId: input.orderId, items: input.items })
  //   - describe: a short text for the status, e.g. `${reservation.itemCount} items reserved`
  throw ApplicationFailure.nonRetryable('TODO Part A: inventoryWorkflow is not written yet', 'NotImplemented');
  // END TODO Part A
}
