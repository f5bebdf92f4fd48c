/**
 * The activity options of lesson 02. Workflow code, so no Node modules here.
 */
import type { ActivityOptions } from '@temporalio/workflow';

/**
 * One retry policy replaces every hand-written retry loop of the original: at most 3 attempts,
 * waiting 500 ms, then 1 s between them (exponential backoff). Temporal runs the retries, records
 * every attempt in the event history, and keeps going across worker restarts. Never leave
 * `maximumAttempts` unset on a step that can fail for good: the default is unlimited, and the order
 * would hang instead of failing.
 */
export const ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: 3,
  },
};
