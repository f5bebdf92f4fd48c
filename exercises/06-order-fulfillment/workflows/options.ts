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
  // TODO Part E: give the forward steps a retry policy: a few attempts (say 4) with exponential backoff
  //   (initialInterval 500 ms, backoffCoefficient 2, maximumInterval 5 s). One attempt, as below, means
  //   one carrier timeout fails the whole order. Never leave maximumAttempts unset here: unlimited
  //   retries make an order that can never succeed hang instead of compensating.
  retry: { maximumAttempts: 1 },
  // END TODO Part E
  // If the order is cancelled mid-call, wait for the call to finish before compensating, so a charge
  // cannot land after its refund already ran.
  cancellationType: 'WAIT_CANCELLATION_COMPLETED',
};

/**
 * Compensations (refund, release, cancel shipment): an undo must eventually happen, so these retry
 * until they succeed (no attempt limit), backing off to one try every 30 s. They are idempotent,
 * so a retry after a timeout is safe.
 */
export const COMPENSATION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
  },
};
