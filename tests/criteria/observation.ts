/**
 * What the grader observes: the targets a scenario runs against, the scenario itself (an order plus a
 * fault plan, and what to watch), and the observation the criteria read (the outcome, the ledger, the
 * histories, what visibility and the `status` queries said). Plus how a failed run reads as an Outcome.
 */
import type { temporal } from '@temporalio/proto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import path from 'node:path';
import { LESSONS, orderWorkflowId, type ChildKind, type LessonId, type TargetName } from '../../common/lessons';
import { REPO_ROOT, type Audit, type CallRow, type Order } from '../../services';
import type { AttemptsRun } from '../support/harness';

export type Target =
  | {
      kind: 'temporal';
      name: string;
      /** e.g. <repo>/solution/06-order-fulfillment */
      lessonDir: string;
      lesson: LessonId;
    }
  | { kind: 'original'; name: 'original'; lesson: LessonId };

/** A target that runs Temporal workflows: a lesson's solution, exercise, or a copy of either. */
export type TemporalTarget = Extract<Target, { kind: 'temporal' }>;

/** A lesson's code in solution/ or exercises/. */
export function lessonTarget(name: TargetName, lesson: LessonId): Target {
  return { kind: 'temporal', name, lessonDir: path.join(REPO_ROOT, name, LESSONS[lesson].folder), lesson };
}

/** A lesson's original (the "before" code), run with the same orders, faults and ledger checks. */
export function originalTarget(lesson: LessonId): Target {
  return { kind: 'original', name: 'original', lesson };
}

/** The solution's slowest scenario takes about 5 s; a run still going after this is broken. */
export const DEFAULT_TIMEOUT_MS = 20_000;

export interface Scenario {
  id: string;
  faults: string;
  /** Changes to the sample order (e.g. a declined card token). */
  order?: Partial<Order>;
  /** How long the order may take before the run is stopped and explained (ms). */
  timeoutMs?: number;
  /** ORDER_LATENCY-style simulated latency, e.g. `validate=1500ms`. */
  latency?: string;
  /**
   * What runs: the whole order (default); each child workflow started on its own, without the parent
   * (lesson 06 Part A); or each activity called once in a mock activity context, without any workflow
   * (lesson 02 Part A).
   */
  mode?: 'order' | 'children' | 'activities';
  /**
   * A lesson's own way to run the scenario, instead of one order on one worker (lesson 08: orders started
   * on one build and finished on another). It starts whatever it needs; the checks read its `lessonData`.
   */
  observe?: (target: TemporalTarget, scenario: Scenario) => Promise<Observation>;
  /** Query the parent's `status` while it validates (needs validate latency). */
  earlyQuery?: boolean;
  /**
   * Activities this scenario makes fail on every attempt. One of them retried without a limit
   * (maximumAttempts unset) can never end, so the run is stopped as soon as it is seen retrying.
   */
  hopeless?: string[];
  /** Ask the parent and each child (if it has any) for `status` every 100 ms while the order runs. */
  watchStatus?: boolean;
  /** Also fetch each child's own event history (the latest run of its workflow ID), after the order ended. */
  childHistories?: boolean;
  /**
   * After the order, while the worker still runs: ask the parent and every child for `status`, describe
   * each child and list the parent's children (lessons with children). Off unless a criterion reads them.
   */
  inspect?: boolean;
}

export type Outcome =
  | { kind: 'completed'; result?: any }
  | {
      kind: 'failed';
      message: string;
      type?: string;
      details?: any;
      /** The deepest message of the `.cause` chain, when it differs. */ root?: string;
    }
  | { kind: 'cancelled'; message: string }
  | { kind: 'timeout'; message: string }
  /** A workflow task kept failing (a bug in workflow code): the run was stopped early. */
  | { kind: 'stuck'; message: string; workflowId: string; nondeterminism: boolean }
  /** An activity that cannot succeed was being retried without a limit: the run was stopped early. */
  | { kind: 'retrying-forever'; message: string; workflowId: string; activity: string; attempt: number }
  | { kind: 'error'; message: string };

export interface ChildView {
  workflowId: string;
  /** From describe (visibility): undefined when the server does not know the workflow. */
  type?: string;
  parentWorkflowId?: string;
  status?: string;
}

export interface Observation {
  target: string;
  scenario: string;
  order: Order;
  parentWorkflowId: string;
  outcome: Outcome;
  audit: Audit;
  calls: CallRow[];
  /** The parent's event history; absent for the original. */
  history?: temporal.api.history.v1.IHistory;
  /** Scenario `childHistories`: each child's own event history (its latest run), for the children that ran. */
  childHistories?: Partial<Record<ChildKind, temporal.api.history.v1.IHistory>>;
  /** Workflows whose parent is the order's parent, as the visibility list reports them. */
  listedChildren?: ChildView[];
  children?: Record<ChildKind, ChildView>;
  /** Scenario `inspect`: each workflow's answer to `status` once the order ended. */
  queries?: { parent: unknown; children: Record<ChildKind, unknown> };
  /** The parent's answer to `status` while it was still validating the order (earlyQuery). */
  earlyQuery?: unknown;
  /** watchStatus: what the parent and each child answered to `status` while the order ran, oldest first. */
  statusSamples?: StatusSample[];
  /** Mode `children`: how each child run on its own ended. */
  childOutcomes?: Partial<Record<ChildKind, Outcome>>;
  /** Mode `activities`: each activity called twice (the first call meets a fault): what happened. */
  activityCalls?: ActivityProbe[];
  /**
   * Runs with a worker: for each activity type, the attempt numbers the grader's worker began, in order.
   * An attempt missing here never reached the worker (the server retried it after its StartToClose
   * timeout), so it made no service call.
   */
  attemptsRun?: AttemptsRun;
  /** What a scenario's own observer (Scenario.observe) recorded for its lesson's checks. */
  lessonData?: unknown;
}

/**
 * What every observation starts with, however the scenario ran: whose run, which scenario, the order,
 * and its parent workflow's ID in the target's lesson.
 */
export function observationOf(
  target: Target,
  scenario: Scenario,
  order: Order,
): Pick<Observation, 'target' | 'scenario' | 'order' | 'parentWorkflowId'> {
  return {
    target: target.name,
    scenario: scenario.id,
    order,
    parentWorkflowId: orderWorkflowId(target.lesson, order.orderId),
  };
}

export interface StatusSample {
  /** Milliseconds since the order started. */
  atMs: number;
  parent: unknown;
  children: Partial<Record<ChildKind, unknown>>;
}

export interface ActivityProbe {
  activity: string;
  step: string;
  /** Service calls made during the first invocation, which met an injected fault. */
  callsInFirstInvocation: number;
  /** How the first invocation ended: `threw: …` or `returned`. */
  first: string;
  /** How the second invocation ended. */
  second: string;
  /** What the second invocation returned, when it did. */
  result?: unknown;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A failure seen by a client (start refused, workflow failed) as an Outcome; `timeoutMessage` says how
 * long the run had, for a run that hit its execution timeout.
 */
export function failureOutcome(err: unknown, timeoutMessage: string): Outcome {
  if (!(err instanceof WorkflowFailedError)) return { kind: 'error', message: errorMessage(err) };
  const cause = err.cause;
  if (cause?.name === 'TimeoutFailure' || /timed out/i.test(err.message))
    return { kind: 'timeout', message: timeoutMessage };
  if (cause?.name === 'CancelledFailure') return { kind: 'cancelled', message: cause.message };
  let deepest: Error = err;
  while (deepest.cause instanceof Error) deepest = deepest.cause;
  const message = cause?.message ?? err.message;
  const details: unknown = cause instanceof ApplicationFailure ? cause.details?.[0] : undefined;
  return {
    kind: 'failed',
    message,
    ...(deepest.message !== message ? { root: deepest.message } : {}),
    type: cause instanceof ApplicationFailure ? (cause.type ?? undefined) : cause?.name,
    ...(details !== undefined ? { details } : {}),
  };
}
