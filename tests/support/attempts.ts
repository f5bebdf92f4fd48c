/**
 * How many times did a step that failed on every attempt reach its service? Once per attempt, but
 * "every attempt" needs care on a busy machine.
 *
 * Temporal counts an attempt when the server hands its task to a worker's poll. That hand-over can
 * itself be lost: the server has marked the attempt started, but the poll's answer never reaches the
 * worker. No worker runs that attempt; the server notices only when its StartToClose timeout expires,
 * and then schedules the next attempt. The kit cannot prevent that (it is why every activity has a
 * StartToClose timeout), so the check below accepts a missing attempt only with that signature: the
 * worker never received it, and the next attempt came at least one StartToClose timeout after the
 * previous one. Anything else (a second call in one attempt, an attempt the worker ran that left no
 * call, a retry policy with another limit) fails.
 */
import { expect } from 'chai';
import type { CallRow } from '../../services';
import type { Delivery } from './harness';

export interface AttemptCheck {
  /** What the message calls the step, e.g. 'the carrier'. */
  what: string;
  /** The ledger's calls for the step, in order. */
  calls: CallRow[];
  /** The activity tasks of the step the worker ran, in order (SharedWorker.deliveries). */
  deliveries: Delivery[];
  /** The retry policy's maximumAttempts. */
  attempts: number;
  startToCloseMs: number;
  /** Date.now() when the order started: the reference for a lost first attempt. */
  startedAt: number;
}

export function expectEachAttemptReachedService(check: AttemptCheck): void {
  const { what, calls, deliveries, attempts, startToCloseMs, startedAt } = check;
  const story = JSON.stringify({
    calls: calls.map((c) => ({ attempt: c.attempt, outcome: c.outcome })),
    received: deliveries.map((d) => ({ attempt: d.attempt, afterMs: d.at - startedAt })),
  });
  // Every attempt the worker ran reached the service once, with Temporal's attempt number.
  expect(
    calls.map((c) => c.attempt),
    `${what}: one call per attempt the worker ran; ${story}`,
  ).to.deep.equal(deliveries.map((d) => d.attempt));
  const ran = deliveries.map((d) => d.attempt);
  expect(ran[ran.length - 1], `${what}: the last attempt is the retry policy's ${attempts}th; ${story}`).to.equal(
    attempts,
  );
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const index = ran.indexOf(attempt);
    if (index >= 0) {
      expect(ran.lastIndexOf(attempt), `${what}: attempt ${attempt} ran once; ${story}`).to.equal(index);
      continue;
    }
    // Never received: lost on its way to the worker. The server then waited out its StartToClose
    // timeout before the next attempt, so that one came at least that long after the previous one.
    const before = deliveries.filter((d) => d.attempt < attempt).pop()?.at ?? startedAt;
    const after = deliveries.find((d) => d.attempt > attempt)!.at;
    expect(
      after - before,
      `${what}: attempt ${attempt} never reached the worker, so the server must have timed it out ` +
        `(StartToClose ${startToCloseMs} ms) before attempt ${attempt + 1}; ${story}`,
    ).to.be.at.least(startToCloseMs);
  }
}

/**
 * The attempt numbers missing from `attempts` (one activity's attempts as a worker began them, in
 * order). A number not above the one before starts a new execution of the same activity (an undo's
 * next round), whose attempts count from 1 again.
 */
export function missingAttempts(attempts: number[]): number[] {
  const missing: number[] = [];
  let previous = 0;
  for (const attempt of attempts) {
    if (attempt <= previous) previous = 0;
    for (let n = previous + 1; n < attempt; n++) missing.push(n);
    previous = attempt;
  }
  return missing;
}

export interface RoundsCheck {
  /** What the message calls the undo, e.g. 'the refund'. */
  what: string;
  /** The ledger's calls for the undo, in order. */
  calls: CallRow[];
  /** The undo's activity tasks the worker ran, in order (SharedWorker.deliveries). */
  deliveries: Delivery[];
  /** Attempts per round (COMPENSATION_ATTEMPTS_PER_ROUND). */
  attemptsPerRound: number;
  startToCloseMs: number;
  /** Date.now() when the order started. */
  startedAt: number;
}

/**
 * An undo that failed for whole rounds and then succeeded: one call per attempt the worker ran, every
 * round before the last used all its attempts, and the last round ended at the attempt that worked.
 * As above, an attempt that never reached the worker passes only when the server waited out its
 * StartToClose timeout before the next attempt (or the next round) began.
 */
export function expectRoundsThenSuccess(check: RoundsCheck): void {
  const { what, calls, deliveries, attemptsPerRound, startToCloseMs, startedAt } = check;
  const story = JSON.stringify({
    calls: calls.map((c) => c.outcome),
    received: deliveries.map((d) => ({ attempt: d.attempt, afterMs: d.at - startedAt })),
  });
  expect(calls.length, `${what}: one call per attempt the worker ran; ${story}`).to.equal(deliveries.length);
  const rounds = roundsOf(deliveries);
  expect(rounds.length, `${what}: at least one whole round failed before the one that worked; ${story}`).to.be.at.least(
    2,
  );
  let previousAt = startedAt;
  rounds.forEach((round, index) => {
    const last = index === rounds.length - 1;
    // Every round but the last used all its attempts; the last ran up to the one that worked.
    const upTo = last ? round[round.length - 1].attempt : attemptsPerRound;
    expect(
      round[round.length - 1].attempt,
      `${what}: round ${index + 1} ran past its attempts; ${story}`,
    ).to.be.at.most(attemptsPerRound);
    const nextAt = (i: number) => round[i]?.at ?? rounds[index + 1]?.[0].at;
    let i = 0;
    for (let attempt = 1; attempt <= upTo; attempt++) {
      if (round[i]?.attempt === attempt) {
        previousAt = round[i].at;
        i++;
        continue;
      }
      const after = nextAt(i);
      expect(
        after !== undefined && after - previousAt >= startToCloseMs,
        `${what}: round ${index + 1} attempt ${attempt} never reached the worker, and nothing shows the server ` +
          `timing it out (StartToClose ${startToCloseMs} ms) before the next attempt; ${story}`,
      ).to.equal(true);
    }
  });
}

/** An undo's deliveries split into rounds: a new round begins where the attempt number starts again. */
export function roundsOf(deliveries: Delivery[]): Delivery[][] {
  const rounds: Delivery[][] = [];
  for (const delivery of deliveries) {
    const round = rounds[rounds.length - 1];
    if (!round || delivery.attempt <= round[round.length - 1].attempt) rounds.push([delivery]);
    else round.push(delivery);
  }
  return rounds;
}
