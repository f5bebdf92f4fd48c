/**
 * How many times did a step that failed on every attempt reach its service? Once per attempt, but
 * "every attempt" needs care on a busy machine.
 *
 * Temporal counts an attempt when the server hands its task to a worker's poll. That hand-over can
 * itself be lost: the server has marked the attempt started, but the poll's answer never reaches the
 * worker. No worker runs that attempt; the server notices only when its StartToClose timeout expires,
 * and then schedules the next attempt. The kit cannot prevent that (it is why every activity has a
 * StartToClose timeout), so the checks below accept a missing attempt only with that signature: the
 * worker never received it, and the next attempt came at least one StartToClose timeout after the
 * previous one. Anything else (a second call in one attempt, an attempt the worker ran that left no
 * call, a retry policy with another limit) fails.
 */
import type { ActivityOptions } from '@temporalio/common';
import { expect } from 'chai';
import { durationMs } from '../../common/kit/duration';
import type { CallRow } from '../../services';
import type { Delivery } from './harness';

export interface AttemptCheck {
  /** What the message calls the step or undo, e.g. 'the carrier'. */
  what: string;
  /** The ledger's calls for it, in order. */
  calls: CallRow[];
  /** Its activity tasks the worker ran, in order (SharedWorker.deliveries). */
  deliveries: Delivery[];
  /** The options its activity ran with: the retry policy's maximumAttempts and the StartToClose timeout. */
  options: ActivityOptions;
  /** Date.now() when the order started: the reference for a lost first attempt. */
  startedAt: number;
}

/** A forward step that failed on every attempt: each of the policy's attempts reached the service once. */
export function expectEachAttemptReachedService(check: AttemptCheck): void {
  const { what, calls, deliveries } = check;
  const { attempts, startToCloseMs } = limitsOf(check.options);
  const story = storyOf(check, (c) => ({ attempt: c.attempt, outcome: c.outcome }));
  // Every attempt the worker ran reached the service once. (The ledger numbers its calls 1, 2, 3...;
  // after a lost attempt those numbers trail Temporal's, so the count is what compares.)
  expect(calls.length, `${what}: one call per attempt the worker ran; ${story}`).to.equal(deliveries.length);
  const ran = deliveries.map((d) => d.attempt);
  expect(ran[ran.length - 1], `${what}: the last attempt is the retry policy's ${attempts}th; ${story}`).to.equal(
    attempts,
  );
  // One execution: attempt numbers only go up, so none ran twice.
  const executions = roundsOf(deliveries);
  expect(executions.length, `${what}: each attempt ran once; ${story}`).to.equal(1);
  expectRanOrTimedOut(
    { what, label: '', execution: executions[0], upTo: attempts, since: check.startedAt, startToCloseMs },
    story,
  );
}

/**
 * An undo that failed for whole rounds and then succeeded: one call per attempt the worker ran, every
 * round before the last used all its attempts, and the last round ended at the attempt that worked.
 * As above, an attempt that never reached the worker passes only when the server waited out its
 * StartToClose timeout before the next attempt (or the next round) began.
 */
export function expectRoundsThenSuccess(check: AttemptCheck): void {
  const { what, calls, deliveries } = check;
  const { attempts: attemptsPerRound, startToCloseMs } = limitsOf(check.options);
  const story = storyOf(check, (c) => c.outcome);
  expect(calls.length, `${what}: one call per attempt the worker ran; ${story}`).to.equal(deliveries.length);
  const rounds = roundsOf(deliveries);
  expect(rounds.length, `${what}: at least one whole round failed before the one that worked; ${story}`).to.be.at.least(
    2,
  );
  let since = check.startedAt;
  rounds.forEach((round, index) => {
    const last = index === rounds.length - 1;
    expect(
      round[round.length - 1].attempt,
      `${what}: round ${index + 1} ran past its attempts; ${story}`,
    ).to.be.at.most(attemptsPerRound);
    // Every round but the last used all its attempts; the last ran up to the one that worked.
    const upTo = last ? round[round.length - 1].attempt : attemptsPerRound;
    const nextAt = rounds[index + 1]?.[0].at;
    since = expectRanOrTimedOut(
      { what, label: `round ${index + 1} `, execution: round, upTo, since, nextAt, startToCloseMs },
      story,
    );
  });
}

/**
 * Split into executions of one activity (an undo's rounds): a new one begins where the attempt number
 * does not go up.
 */
export function roundsOf<T extends { attempt: number }>(items: T[]): T[][] {
  const rounds: T[][] = [];
  for (const item of items) {
    const round = rounds[rounds.length - 1];
    if (!round || item.attempt <= round[round.length - 1].attempt) rounds.push([item]);
    else round.push(item);
  }
  return rounds;
}

/**
 * The attempt numbers missing from `attempts` (one activity's attempts as a worker began them, in
 * order), execution by execution (roundsOf): each counts from 1 again.
 */
export function missingAttempts(attempts: number[]): number[] {
  return roundsOf(attempts.map((attempt) => ({ attempt }))).flatMap((round) => {
    const ran = new Set(round.map((r) => r.attempt));
    const last = round[round.length - 1].attempt;
    return Array.from({ length: last }, (_, i) => i + 1).filter((n) => !ran.has(n));
  });
}

/**
 * The attempts per execution, and how soon the server times out an attempt that never reached a worker:
 * the StartToClose timeout, or the heartbeat timeout when that is shorter (such an attempt never
 * heartbeats).
 */
function limitsOf(options: ActivityOptions): { attempts: number; startToCloseMs: number } {
  const attempts = options.retry?.maximumAttempts;
  if (!attempts || options.startToCloseTimeout === undefined)
    throw new Error('the activity options need retry.maximumAttempts and startToCloseTimeout');
  const startToCloseMs = durationMs(options.startToCloseTimeout);
  const heartbeatMs = options.heartbeatTimeout === undefined ? Infinity : durationMs(options.heartbeatTimeout);
  return { attempts, startToCloseMs: Math.min(startToCloseMs, heartbeatMs) };
}

function storyOf(check: AttemptCheck, call: (c: CallRow) => unknown): string {
  return JSON.stringify({
    calls: check.calls.map(call),
    received: check.deliveries.map((d) => ({ attempt: d.attempt, afterMs: d.at - check.startedAt })),
  });
}

/**
 * Attempts 1 to `upTo` of one execution: each ran, or it never reached the worker and the next one
 * (in this execution, or else `nextAt`) began at least one StartToClose timeout after the one before
 * it (or `since`). Returns when the execution's last attempt began.
 */
function expectRanOrTimedOut(
  run: {
    what: string;
    label: string;
    execution: Delivery[];
    upTo: number;
    since: number;
    nextAt?: number;
    startToCloseMs: number;
  },
  story: string,
): number {
  const { startToCloseMs } = run;
  let previousAt = run.since;
  let i = 0;
  for (let attempt = 1; attempt <= run.upTo; attempt++) {
    if (run.execution[i]?.attempt === attempt) {
      previousAt = run.execution[i].at;
      i++;
      continue;
    }
    const after = run.execution[i]?.at ?? run.nextAt;
    expect(
      after !== undefined && after - previousAt >= startToCloseMs,
      `${run.what}: ${run.label}attempt ${attempt} never reached the worker, and nothing shows the server ` +
        `timing it out (after ${startToCloseMs} ms) before the next attempt; ${story}`,
    ).to.equal(true);
  }
  return previousAt;
}
