/**
 * Lesson 06's saga when the undos themselves fail: no undo blocks another. The real parent and children on
 * the real dev server, each scenario on a fresh ledger of its own, on the worker the saga files share
 * (../support/saga-06.ts): a refund that fails until the gateway recovers, a release that never
 * succeeds (cancelling does not stop the undos; terminate does), and a refund refused for good (a
 * disputed charge) while the release fails for a while. Re-runs of an order ID and unchecked workflow
 * input are in ./saga-06-reruns.test.ts.
 *
 * Every scenario starts in the one `before` hook and they run at the same time, so the file takes about
 * as long as its slowest scenario; the `it`s then check what each one saw. Faults are seeded rules
 * (`first:N`, `always`), never probabilities, so every run meets the same failures.
 *
 * Timings that shape the scenarios: a forward step that keeps failing gives up after 4 attempts (0.5 s,
 * 1 s, 2 s of backoff); an undo gets 3 attempts per round (0.5 s, 1 s), and rounds start 2 s, 4 s …
 * apart (solution/06-order-fulfillment/workflows/options.ts).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { expect } from 'chai';
import { until } from '../../common/kit/wait';
import { sampleOrder, type CallRow } from '../../services';
import { fulfillmentOutcome, queryStatus, startOrder } from '../../solution/06-order-fulfillment/client';
import type { CompensationRecord } from '../../solution/06-order-fulfillment/shared';
import {
  COMPENSATION_ATTEMPTS_PER_ROUND,
  COMPENSATION_OPTIONS,
} from '../../solution/06-order-fulfillment/workflows/options';
import { expectRoundsThenSuccess, missingAttempts, roundsOf } from '../support/attempts';
import { afterEager } from '../support/eager';
import type { Delivery } from '../support/harness';
import { ORDER_WAIT_MS, waitForStatus } from '../support/order-status';
import { counts, scenario, settle, valueOf, worker, type Settled } from '../support/saga-06';
import { expectFailed } from '../support/scenarios-06';

const { EventType } = temporal.api.enums.v1;

function undo(status: { compensations: CompensationRecord[] } | undefined, name: string): CompensationRecord {
  const record = status?.compensations.find((c) => c.name === name);
  expect(record, `no undo named "${name}" in ${JSON.stringify(status?.compensations)}`).to.not.equal(undefined);
  return record!;
}

// ---- the scenarios ----------------------------------------------------------------------------

/** The refund fails until the gateway recovers; the release must not wait for it. */
function refundRecovers() {
  return scenario('shipping=always,refund=always', async ({ services, faults, client, taskQueue, newOrderId }) => {
    const orderId = newOrderId('refund-late');
    const startedAt = Date.now();
    const handle = (await startOrder(client, sampleOrder(orderId), taskQueue)).handle;
    // At least one round is over: the refund has used its attempts and waits for the next round.
    const whileCompensating = await waitForStatus(handle, (s) =>
      s.compensations.some((c) => c.name === 'refund payment' && c.outcome === 'retrying' && c.attempts >= 3),
    );
    const ledgerThen = counts(services.ledger.audit());
    const refundCallsThen = services.ledger.calls({ step: 'refund' });
    const refundRanThen = worker.deliveries(orderId, 'refundPayment');
    // The gateway is back: the next round refunds.
    faults.recover('refund');
    const outcome = await fulfillmentOutcome(handle);
    return {
      whileCompensating,
      ledgerThen,
      refundCallsThen,
      refundRanThen,
      outcome,
      ledgerAfter: counts(services.ledger.audit()),
      refundCalls: services.ledger.calls({ step: 'refund' }),
      refundRan: worker.deliveries(orderId, 'refundPayment'),
      startedAt,
      releaseCalls: services.ledger.calls({ step: 'release' }).map((c) => c.outcome),
    };
  });
}

/** The release never succeeds: the refund must still happen, and the order stays visibly COMPENSATING. */
function releaseNeverSucceeds() {
  return scenario('shipping=always,release=always', async ({ services, client, taskQueue, newOrderId }) => {
    const orderId = newOrderId('release-stuck');
    const handle = (await startOrder(client, sampleOrder(orderId), taskQueue)).handle;
    // Round 1 is over: the release used its 3 attempts, and the refund after it has run.
    const whileCompensating = await waitForStatus(
      handle,
      (s) =>
        s.compensations.some((c) => c.name === 'release inventory' && c.attempts >= 3) &&
        s.compensations.some((c) => c.name === 'refund payment' && c.outcome !== 'retrying'),
    );
    const ledgerThen = counts(services.ledger.audit());
    const releaseCallsThen = services.ledger.calls({ step: 'release' });
    const releaseRanThen = worker.deliveries(orderId, 'releaseInventory');

    // A cancel request does not stop the undos: they run non-cancellably on purpose (pressing cancel
    // must never leave a customer charged). Wait until the workflow has seen the request, then look.
    await handle.cancel();
    await waitForHistory(handle, (events) => {
      const requested = events.findIndex(
        (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
      );
      return (
        requested >= 0 &&
        events.slice(requested).some((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
      );
    });
    const afterCancel = await queryStatus(handle);
    const runningAfterCancel = (await handle.describe()).status.name;

    // This order can never finish: release=always fails every attempt, in every round, for ever. Only
    // terminate stops it, and terminate runs no code at all, so whatever was not undone stays as it
    // is: here the reservation stays stuck, which the ledger shows. (In real life, fix the inventory
    // service and let the next round release it; terminate is for a test that must not leave it running.)
    await handle.terminate('test over: release=always can never succeed');
    const closedAs = (await handle.describe()).status.name;
    return {
      whileCompensating,
      ledgerThen,
      releaseCallsThen,
      releaseRanThen,
      afterCancel,
      runningAfterCancel,
      closedAs,
      ledgerAfter: counts(services.ledger.audit()),
    };
  });
}

/** A disputed charge cannot be refunded (a business error), while the release fails for a while. */
function refundRefusedForGood() {
  return scenario('shipping=always,release=always', async ({ services, faults, client, taskQueue, newOrderId }) => {
    const order = { ...sampleOrder(newOrderId('disputed')), paymentToken: 'tok_disputed' };
    const startedAt = Date.now();
    const handle = (await startOrder(client, order, taskQueue)).handle;
    // Round 1 is over: the refund has failed for good, the release waits for the next round.
    const afterRound1 = await waitForStatus(
      handle,
      (s) =>
        s.compensations.some((c) => c.name === 'release inventory' && c.outcome === 'retrying' && c.attempts >= 3) &&
        s.compensations.some((c) => c.name === 'refund payment' && c.outcome !== 'retrying'),
    );
    // The inventory service is back: the next round releases, and the refund is not tried again.
    faults.recover('release');
    const outcome = await fulfillmentOutcome(handle);
    const audit = services.ledger.audit();
    return {
      afterRound1,
      outcome,
      ledgerAfter: counts(audit),
      orphanedOrderIds: audit.orphanedCharges.map((c) => c.orderId),
      orderId: order.orderId,
      refundCalls: services.ledger.calls({ step: 'refund' }).map((c) => c.outcome),
      releaseCalls: services.ledger.calls({ step: 'release' }),
      releaseRan: worker.deliveries(order.orderId, 'releaseInventory'),
      startedAt,
    };
  });
}

/** Waits until the workflow's history satisfies `predicate`. */
async function waitForHistory(
  handle: WorkflowHandle,
  predicate: (events: temporal.api.history.v1.IHistoryEvent[]) => boolean,
  timeoutMs = ORDER_WAIT_MS,
): Promise<void> {
  const matched = await until(async () => predicate((await handle.fetchHistory()).events ?? []), { timeoutMs });
  if (!matched) throw new Error(`the history of ${handle.workflowId} never matched within ${timeoutMs} ms`);
}

/**
 * An undo's last error in a status taken between rounds. When the round's last attempt ran, it is the
 * service's own error, numbered the way the service counts (Temporal's attempt, or its own count of
 * calls when that is more: ../../services); with no attempt lost, that is the record's attempts. When
 * that attempt never reached the worker, the server timed it out (../support/attempts).
 */
function expectRoundError(record: CompensationRecord, ranThen: Delivery[], callsThen: CallRow[], step: string) {
  const round = roundsOf(ranThen)[record.attempts / COMPENSATION_ATTEMPTS_PER_ROUND - 1] ?? [];
  const story = JSON.stringify({ record, ran: ranThen.map((d) => d.attempt), calls: callsThen.length });
  const lastRan = round[round.length - 1]?.attempt;
  if (lastRan !== COMPENSATION_ATTEMPTS_PER_ROUND) {
    expect(record.lastError, story).to.match(/StartToClose/);
    return;
  }
  const numbered = Math.max(lastRan, callsThen.length);
  expect(record.lastError, story).to.equal(`${step} service unavailable (attempt ${numbered})`);
  if (missingAttempts(ranThen.map((d) => d.attempt)).length === 0) expect(numbered, story).to.equal(record.attempts);
}

/**
 * An undo whose service failed for whole rounds, then worked: one call per attempt the worker ran
 * (../support/attempts), every call a fault but the last.
 */
function expectFaultedRoundsThenDone(what: string, calls: CallRow[], ran: Delivery[], startedAt: number) {
  expectRoundsThenSuccess({
    what,
    calls,
    deliveries: ran,
    options: COMPENSATION_OPTIONS,
    startedAt,
  });
  const outcomes = calls.map((c) => c.outcome);
  expect(outcomes).to.deep.equal([...outcomes.slice(0, -1).map(() => 'fault'), 'ok']);
}

// ---- the checks -------------------------------------------------------------------------------

describe('lesson 06 saga: failing undos and re-runs (real dev server and ledger)', function () {
  this.timeout(60_000);

  const results: {
    refundRecovers?: Settled<Awaited<ReturnType<typeof refundRecovers>>>;
    releaseNeverSucceeds?: Settled<Awaited<ReturnType<typeof releaseNeverSucceeds>>>;
    refundRefusedForGood?: Settled<Awaited<ReturnType<typeof refundRefusedForGood>>>;
  } = {};

  // All at once, in the second wave (../support/eager.ts), with ./saga-06-reruns.test.ts's: not in the
  // first, whose load would eat into their 20-s status waits.
  const scenarios = afterEager(() =>
    Promise.all([settle(refundRecovers()), settle(releaseNeverSucceeds()), settle(refundRefusedForGood())]),
  );
  before(async () => {
    [results.refundRecovers, results.releaseNeverSucceeds, results.refundRefusedForGood] = await scenarios();
  });

  describe('no undo blocks another', () => {
    it('a failing refund: the release happens in round 1 while the refund is outstanding, and status shows the refund retrying with its attempts and last error', () => {
      const r = valueOf(results.refundRecovers);
      const refund = undo(r.whileCompensating, 'refund payment');
      expect(refund.outcome).to.equal('retrying');
      // 3 attempts per round; the service numbers its calls across rounds.
      expect(refund.attempts % 3).to.equal(0);
      expectRoundError(refund, r.refundRanThen, r.refundCallsThen, 'refund');
      expect(undo(r.whileCompensating, 'release inventory')).to.deep.include({ outcome: 'done', attempts: 1 });
      expect(undo(r.whileCompensating, 'cancel shipment')).to.deep.include({ outcome: 'nothing to undo' });
      expect(r.whileCompensating.children.inventory.state).to.equal('COMPENSATED');
      expect(r.whileCompensating.children.payment.state).to.equal('COMPLETED');
      // The ledger at that same moment: released, not yet refunded.
      expect(r.ledgerThen).to.deep.include({ releases: 1, refunds: 0 });
    });

    it('a failing refund: when the fault clears everything finishes, with exactly one refund and one release', () => {
      const r = valueOf(results.refundRecovers);
      const outcome = expectFailed(r.outcome);
      expect(outcome.type).to.equal('OrderFailed');
      expect(outcome.message).to.contain('failed at shipping');
      expect(outcome.result!.compensations.map(({ name, outcome }) => ({ name, outcome }))).to.deep.equal([
        { name: 'cancel shipment', outcome: 'nothing to undo' },
        { name: 'release inventory', outcome: 'done' },
        { name: 'refund payment', outcome: 'done' },
      ]);
      expect(undo(outcome.result, 'refund payment').lastError).to.equal(undefined);
      // Failed calls in whole rounds, then the one that refunded; the release was never repeated.
      expectFaultedRoundsThenDone('the refund', r.refundCalls, r.refundRan, r.startedAt);
      expect(r.releaseCalls).to.deep.equal(['ok']);
      expect(r.ledgerAfter).to.deep.include({
        charges: 1,
        refunds: 1,
        reservations: 1,
        releases: 1,
        orphans: 0,
        stuck: 0,
      });
    });

    it('release=always: the refund is not held up; the order stays COMPENSATING, showing the release retrying', () => {
      const r = valueOf(results.releaseNeverSucceeds);
      expect(r.whileCompensating.state).to.equal('COMPENSATING');
      expect(undo(r.whileCompensating, 'refund payment')).to.deep.include({ outcome: 'done' });
      const release = undo(r.whileCompensating, 'release inventory');
      expect(release.outcome).to.equal('retrying');
      expect(release.attempts).to.be.at.least(3);
      expectRoundError(release, r.releaseRanThen, r.releaseCallsThen, 'release');
      expect(r.ledgerThen).to.deep.include({ charges: 1, refunds: 1, releases: 0, orphans: 0 });
    });

    it('release=always: cancelling does not stop the undos; terminate does, and the ledger shows the reservation it left stuck', () => {
      const r = valueOf(results.releaseNeverSucceeds);
      expect(r.afterCancel.state).to.equal('COMPENSATING');
      expect(r.runningAfterCancel).to.equal('RUNNING');
      expect(r.closedAs).to.equal('TERMINATED');
      expect(r.ledgerAfter).to.deep.include({ refunds: 1, releases: 0, orphans: 0, stuck: 1 });
    });

    it('a business error in an undo (a disputed charge cannot be refunded) is recorded as failed, not retried, and the other undos still finish', () => {
      const r = valueOf(results.refundRefusedForGood);
      // After round 1: the refund failed for good, the release is still being retried.
      expect(undo(r.afterRound1, 'refund payment')).to.deep.include({ outcome: 'failed', attempts: 1 });
      expect(undo(r.afterRound1, 'refund payment').lastError).to.contain('is disputed by the cardholder');
      expect(undo(r.afterRound1, 'release inventory').outcome).to.equal('retrying');

      const outcome = expectFailed(r.outcome);
      expect(outcome.result!.compensations.map(({ name, outcome }) => ({ name, outcome }))).to.deep.equal([
        { name: 'cancel shipment', outcome: 'nothing to undo' },
        { name: 'release inventory', outcome: 'done' },
        { name: 'refund payment', outcome: 'failed' },
      ]);
      // One refund call: a business error is not retried, in this round or any later one.
      expect(r.refundCalls).to.deep.equal(['rejected']);
      expectFaultedRoundsThenDone('the release', r.releaseCalls, r.releaseRan, r.startedAt);
      // The disputed charge stays on the books for a person to settle, and the audit says so.
      expect(r.ledgerAfter).to.deep.include({ charges: 1, refunds: 0, releases: 1, stuck: 0, orphans: 1 });
      expect(r.orphanedOrderIds).to.deep.equal([r.orderId]);
    });
  });
});
