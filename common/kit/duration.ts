/**
 * Temporal's durations (`'10 seconds'`, `'1m'`, or milliseconds) as milliseconds, read by `ms`, the same
 * library and version the SDK reads them with, so a timeout means here what it means to the server.
 */
import type { Duration } from '@temporalio/common';
import ms, { type StringValue } from 'ms';

export function durationMs(duration: Duration): number {
  return typeof duration === 'number' ? duration : ms(duration as StringValue);
}
