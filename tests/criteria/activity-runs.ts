/**
 * The activities a workflow scheduled, read from its event history: which activity, its request, its
 * retry policy, its last attempt and how it closed (and when, on the server's clock). Lessons 02, 03
 * and 06's criteria share it.
 */
import type { temporal } from '@temporalio/proto';
import { num } from './child-runs';
import type { Observation } from './observation';

export interface ActivityRun {
  type: string;
  /** Its first argument, decoded (the request: idempotency key, warehouse …). */
  input?: { idempotencyKey?: string; warehouse?: string; reservationKey?: string };
  scheduledId: number;
  maximumAttempts?: number;
  backoffCoefficient?: number;
  /**
   * The attempt of the last ActivityTaskStarted (the history records only the last attempt's start),
   * and when it started (ms, the server's clock).
   */
  attempt?: number;
  startedAt?: number;
  closedId?: number;
  closedAs?: string;
  closedAt?: number;
  cancelRequestedId?: number;
  /** ActivityTaskFailed: the failure of the last attempt, as the worker reported it. */
  failure?: { message: string; type?: string; nonRetryable: boolean };
}

function millis(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  if (!time) return undefined;
  return num(time.seconds) * 1000 + (time.nanos ?? 0) / 1e6;
}

function decode(payload: { data?: Uint8Array | null } | undefined): ActivityRun['input'] {
  try {
    return payload?.data ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : undefined;
  } catch {
    return undefined;
  }
}

/** The activities the workflow scheduled, from its event history, in the order it scheduled them. */
export function activityRuns(obs: Observation): ActivityRun[] | undefined {
  return obs.history ? activityRunsIn(obs.history) : undefined;
}

/** The activities scheduled in one workflow's event history, in the order they were scheduled. */
export function activityRunsIn(history: temporal.api.history.v1.IHistory): ActivityRun[] {
  const runs = new Map<number, ActivityRun>();
  for (const event of history.events ?? []) {
    const id = num(event.eventId);
    const at = millis(event.eventTime);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      runs.set(id, {
        type: scheduled.activityType?.name ?? '',
        input: decode(scheduled.input?.payloads?.[0] ?? undefined),
        scheduledId: id,
        maximumAttempts: scheduled.retryPolicy?.maximumAttempts ?? undefined,
        backoffCoefficient: scheduled.retryPolicy?.backoffCoefficient ?? undefined,
      });
      continue;
    }
    const started = event.activityTaskStartedEventAttributes;
    if (started) {
      const run = runs.get(num(started.scheduledEventId));
      if (run) Object.assign(run, { attempt: started.attempt ?? undefined, startedAt: at });
      continue;
    }
    const cancelRequested = event.activityTaskCancelRequestedEventAttributes;
    if (cancelRequested) {
      const run = runs.get(num(cancelRequested.scheduledEventId));
      if (run) run.cancelRequestedId = id;
      continue;
    }
    const closes: [string, { scheduledEventId?: unknown } | null | undefined][] = [
      ['completed', event.activityTaskCompletedEventAttributes],
      ['failed', event.activityTaskFailedEventAttributes],
      ['timed out', event.activityTaskTimedOutEventAttributes],
      ['cancelled', event.activityTaskCanceledEventAttributes],
    ];
    for (const [closedAs, attrs] of closes) {
      const run = attrs ? runs.get(num(attrs.scheduledEventId)) : undefined;
      if (run) Object.assign(run, { closedId: id, closedAs, closedAt: at });
    }
    const failure = event.activityTaskFailedEventAttributes?.failure;
    const failed = failure ? runs.get(num(event.activityTaskFailedEventAttributes!.scheduledEventId)) : undefined;
    if (failure && failed) {
      failed.failure = {
        message: failure.message ?? '',
        type: failure.applicationFailureInfo?.type ?? undefined,
        nonRetryable: failure.applicationFailureInfo?.nonRetryable === true,
      };
    }
  }
  return [...runs.values()];
}
