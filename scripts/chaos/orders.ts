/**
 * A run's orders on the server: started all at once, then followed until each has ended, however the
 * case breaks the worker or the server in between.
 */
import {
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
} from '@temporalio/client';
import { setTimeout as sleep } from 'node:timers/promises';
import { LESSONS, orderWorkflowId } from '../../common/lessons';
import type { Order } from '../../services';
import type { ChaosLesson } from './case';

/** A run whose orders have not all ended after this long fails (and its orders are terminated). */
const runDeadlineMs = (orders: number) => 120_000 + 1_000 * orders;

/** Starts every order's workflow at once, as a burst of customers would. */
export async function startOrders(
  client: Client,
  lesson: ChaosLesson,
  orders: Order[],
  taskQueue: string,
): Promise<void> {
  await Promise.all(
    orders.map((order) =>
      client.workflow.start(LESSONS[lesson].workflowType, {
        taskQueue,
        workflowId: orderWorkflowId(lesson, order.orderId),
        args: [order],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      }),
    ),
  );
}

/** How a parent ended, from the failure its result carries. */
function closedAs(err: unknown): string {
  const cause = (err as WorkflowFailedError).cause;
  if (cause instanceof TerminatedFailure) return 'TERMINATED';
  if (cause instanceof CancelledFailure) return 'CANCELLED';
  if (cause instanceof TimeoutFailure) return 'TIMED_OUT';
  return 'FAILED';
}

/**
 * Waits until every order's parent has closed, and says how each ended. Each waits on its result (a
 * long poll the server answers when the order ends); a server that is down or restarting makes the
 * wait fail, and it is simply asked again a second later. At the deadline the orders still running are
 * terminated, so nothing keeps running after a failed case (what the ledger then shows is what
 * terminate leaves behind).
 */
export async function waitForOrders(
  client: Client,
  orders: Order[],
  lesson: ChaosLesson,
): Promise<Map<string, string>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), runDeadlineMs(orders.length));
  });
  const statuses = new Map<string, string>();
  try {
    await Promise.all(
      orders.map(async (order) => {
        const workflowId = orderWorkflowId(lesson, order.orderId);
        const handle = client.workflow.getHandle(workflowId);
        for (;;) {
          try {
            if ((await Promise.race([handle.result(), deadline])) === 'deadline') break;
            statuses.set(workflowId, 'COMPLETED');
            return;
          } catch (err) {
            if (err instanceof WorkflowFailedError) {
              statuses.set(workflowId, closedAs(err));
              return;
            }
            if (err instanceof WorkflowNotFoundError) {
              statuses.set(workflowId, 'FORGOTTEN'); // a server restarted on an empty database
              return;
            }
            if ((await Promise.race([sleep(1_000), deadline])) === 'deadline') break;
          }
        }
        statuses.set(workflowId, 'RUNNING at the deadline');
        await handle.terminate('chaos: run deadline').catch(() => undefined);
      }),
    );
  } finally {
    clearTimeout(timer);
  }
  return statuses;
}
