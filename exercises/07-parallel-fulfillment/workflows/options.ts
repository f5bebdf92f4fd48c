/**
 * Activity options shared by the workflows. Workflow code, so no Node modules here.
 */
import type { ActivityOptions } from '@temporalio/workflow';

/**
 * Forward steps (charge, reserve, ship, email): a few quick retries with backoff ride out timeouts
 * and outages; a step that keeps failing then fails its child, and the parent compensates.
 * Never leave `maximumAttempts` unset on a step that can fail for good: the default is unlimited,
 * and the order would hang instead of compensating.
 */
export const STEP_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  // A call in flight heartbeats every second (common/service-call.ts). Five silent seconds mean the
  // worker died or froze: the attempt is retried then, not after the full StartToClose.
  heartbeatTimeout: '5 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: 4,
  },
  // If the order is cancelled mid-call, wait for the call to finish before compensating, so a charge
  // cannot land after its refund already ran.
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
};

/** Attempts per undo per round: 3 tries over about 1.5 s, then the saga moves on to the next undo. */
export const COMPENSATION_ATTEMPTS_PER_ROUND = 3;

/**
 * Undo steps (refund, release, cancel shipment): each try is a short burst of attempts. An undo that
 * is still failing after it goes back in the queue and is tried again in the next round (see
 * saga.ts), so one stuck undo never keeps the others from running. They are idempotent, so a retry
 * after a timeout is safe.
 */
export const COMPENSATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumAttempts: COMPENSATION_ATTEMPTS_PER_ROUND,
  },
};

/** The wait between rounds of undos that are still failing: 2 s, 4 s, 8 s … at most one minute. */
export function compensationRoundDelayMs(round: number): number {
  return Math.min(2_000 * 2 ** (round - 1), 60_000);
}
