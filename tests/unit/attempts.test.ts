/**
 * The attempt check the lesson 06/07 tests use (../support/attempts.ts) accepts a missing attempt only
 * with the signature of a task lost on its way to the worker, and nothing else.
 */
import { expect } from 'chai';
import type { CallRow } from '../../services';
import {
  expectEachAttemptReachedService,
  expectRoundsThenSuccess,
  missingAttempts,
  type AttemptCheck,
} from '../support/attempts';

const T0 = 1_000_000;

/** Attempts 1 to 4 received at the times the retry policy's backoff gives (ms after the order started). */
const ALL_FOUR: [number, number][] = [
  [1, 100],
  [2, 700],
  [3, 1_800],
  [4, 3_900],
];

/**
 * A check of `activity`: the tasks the worker ran ([attempt, ms after the order started]) against the
 * ledger's calls, under a policy of `maximumAttempts` and a 10-s StartToClose timeout.
 */
function spec(
  activity: string,
  received: [attempt: number, afterMs: number][],
  calls: Pick<CallRow, 'attempt' | 'outcome'>[],
  maximumAttempts: number,
): AttemptCheck {
  return {
    what: activity,
    calls: calls.map((c) => ({ step: activity, key: `${activity}-ORDER-1`, orderId: 'ORDER-1', detail: null, ...c })),
    deliveries: received.map(([attempt, afterMs]) => ({ activity, attempt, at: T0 + afterMs })),
    options: { startToCloseTimeout: '10 seconds', retry: { maximumAttempts } },
    startedAt: T0,
  };
}

/** `calls` failed calls, numbered 1, 2, 3... as the ledger numbers them (default: one per attempt received). */
function check(received: [attempt: number, afterMs: number][], calls = received.length) {
  const failed = Array.from({ length: calls }, (_, n) => ({ attempt: n + 1, outcome: 'fault' }));
  return () => expectEachAttemptReachedService(spec('arrangeShipment', received, failed, 4));
}

describe('attempt check: one call per attempt, a missing attempt only when the server timed it out', () => {
  it('passes when all four attempts reached the service once', () => {
    expect(check(ALL_FOUR)).not.to.throw();
  });

  it('passes when attempt 2 never reached the worker and attempt 3 came a StartToClose timeout later', () => {
    expect(
      check([
        [1, 100],
        [3, 11_200],
        [4, 13_300],
      ]),
    ).not.to.throw();
  });

  it('passes when attempt 3 was lost: the ledger numbers the three calls 1, 2, 3 under attempts 1, 2, 4', () => {
    expect(
      check([
        [1, 6_114],
        [2, 7_413],
        [4, 20_726],
      ]),
    ).not.to.throw();
  });

  it('passes when the first attempt was lost and the second came after its timeout', () => {
    expect(
      check([
        [2, 10_600],
        [3, 11_700],
        [4, 13_800],
      ]),
    ).not.to.throw();
  });

  it('fails when an attempt is missing without a timeout in between', () => {
    expect(
      check([
        [1, 100],
        [3, 1_800],
        [4, 3_900],
      ]),
    ).to.throw(/attempt 2 never reached the worker/);
  });

  it('fails when an attempt the worker ran left no call', () => {
    expect(check(ALL_FOUR, 3)).to.throw(/one call per attempt the worker ran/);
  });

  it('fails when one attempt called the service twice', () => {
    expect(check(ALL_FOUR, 5)).to.throw(/one call per attempt the worker ran/);
  });

  it('fails when the retries stopped before the policy allows', () => {
    expect(
      check([
        [1, 100],
        [2, 700],
        [3, 1_800],
      ]),
    ).to.throw(/the last attempt is the retry policy's 4th/);
  });
});

describe('missing attempts: gaps in the attempt numbers a worker ran', () => {
  it('finds none in 1, 2, 3, 4', () => expect(missingAttempts([1, 2, 3, 4])).to.deep.equal([]));
  it('finds attempt 2 in 1, 3, 4', () => expect(missingAttempts([1, 3, 4])).to.deep.equal([2]));
  it('finds a lost first attempt', () => expect(missingAttempts([2, 3])).to.deep.equal([1]));
  it('reads undo rounds (1, 2, 3, then 1, 2, 3) as two executions', () =>
    expect(missingAttempts([1, 2, 3, 1, 2, 3])).to.deep.equal([]));
  it("finds a lost attempt in a later round, and a round's lost first attempt", () =>
    expect(missingAttempts([1, 2, 3, 1, 3, 2, 3])).to.deep.equal([2, 1]));
});

describe('undo rounds: whole rounds failed, then the attempt that worked', () => {
  function rounds(received: [attempt: number, afterMs: number][], calls = received.length) {
    const outcomes = Array.from({ length: calls }, (_, n) => ({
      attempt: n + 1,
      outcome: n === calls - 1 ? 'ok' : 'fault',
    }));
    return () => expectRoundsThenSuccess(spec('refundPayment', received, outcomes, 3));
  }
  const round1: [number, number][] = [
    [1, 4_000],
    [2, 4_600],
    [3, 5_700],
  ];

  it('passes for a failed round of 3, then success on the first attempt of round 2', () =>
    expect(rounds([...round1, [1, 7_800]])).not.to.throw());
  it("passes when round 1's last attempt never reached the worker and round 2 began after its timeout", () =>
    expect(
      rounds([
        [1, 4_000],
        [2, 4_600],
        [1, 16_800],
      ]),
    ).not.to.throw());
  it("fails when round 1's last attempt is missing and round 2 began at once", () =>
    expect(
      rounds([
        [1, 4_000],
        [2, 4_600],
        [1, 6_700],
      ]),
    ).to.throw(/round 1 attempt 3 never reached the worker/));
  it('fails when no whole round failed first', () =>
    expect(
      rounds([
        [1, 4_000],
        [2, 4_600],
      ]),
    ).to.throw(/at least one whole round failed/));
  it('fails when an attempt the worker ran left no call', () =>
    expect(rounds([...round1, [1, 7_800]], 3)).to.throw(/one call per attempt the worker ran/));
});
