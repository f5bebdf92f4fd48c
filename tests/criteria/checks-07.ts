/**
 * Lesson 07's criteria as checks over observations: children in parallel, the join, and partial
 * failure. Registered in ./checks.ts with the other lessons'; the titles, Parts and hints live in
 * the lesson manifest (common/lessons.ts).
 *
 * Timing is never measured with a clock. Overlap is read from the parent's event history (both
 * children initiated before either closed); "the reservation landed after the card was declined"
 * is made certain by simulated latency (the inventory call takes 3 s, the decline is immediate); the
 * ledger says what happened in the outside world, after every call in flight has ended.
 */
import { childWorkflowIdOf, LESSONS, type ChildKind } from '../../common/lessons';
import { REFUSED_LATE } from '../../services';
import { childRuns } from './child-runs';
import { callsOf, chargedTotal, fail, NO_HISTORY, ok, sideEffects, type Check, type Verdict } from './criterion';
import type { Observation, Scenario } from './observation';
import { queryErrorLine, wrongQueryName } from './query-errors';

export const SCENARIOS_07 = {
  // Both branches take 2 s, so a parent that runs them together is seen with both RUNNING.
  happy: { id: '07-happy', faults: 'none', latency: 'payment=2s,inventory=2s', watchStatus: true },
  // `hopeless`: the activities a scenario makes fail for good; retried without a limit, the run stops early.
  notificationFails: { id: '07-notification-fails', faults: 'notification=always', hopeless: ['sendConfirmation'] },
  // The card is declined at once while the reservation is still on its way (3 s: ample time for the
  // decline to reach the parent even on a busy machine).
  declinedWhileReserving: {
    id: '07-declined-while-reserving',
    faults: 'none',
    latency: 'inventory=3s',
    order: { paymentToken: 'tok_declined' },
    hopeless: ['chargePayment'],
  },
  // The charge goes through at once; inventory fails its 4 attempts over about 3.5 s.
  inventoryFails: { id: '07-inventory-fails', faults: 'inventory=always', hopeless: ['reserveInventory'] },
} satisfies Record<string, Scenario>;

function completed(obs: Observation): Verdict {
  if (obs.outcome.kind === 'completed') return ok();
  return fail(`the order ended as ${obs.outcome.kind}: ${'message' in obs.outcome ? obs.outcome.message : ''}`);
}

function ledgerProblems(obs: Observation): string[] {
  const { orphanedCharges, stuckReservations, shippedUnpaid } = obs.audit;
  const problems: string[] = [];
  if (orphanedCharges.length) problems.push(`${orphanedCharges.length} orphaned charge(s)`);
  if (stuckReservations.length) problems.push(`${stuckReservations.length} stuck reservation(s)`);
  if (shippedUnpaid.length) problems.push(`${shippedUnpaid.length} shipment(s) never paid for`);
  return problems;
}

type StatusAnswer = { state?: string; children?: Partial<Record<ChildKind, { state?: string }>>; queryError?: string };

export const CHECKS_07 = {
  '07-children-overlap': {
    scenario: SCENARIOS_07.happy,
    check: (obs) => {
      const spans = childRuns(obs);
      if (!spans) return fail(NO_HISTORY);
      const payment = spans.find((s) => s.kind === 'payment');
      const inventory = spans.find((s) => s.kind === 'inventory');
      if (!payment || !inventory) {
        const seen = spans.map((s) => s.kind ?? s.workflowId).join(', ') || 'no child workflows';
        return fail(`the parent's history starts ${seen}; expected a payment and an inventory child`);
      }
      const [first, second] = payment.initiatedId < inventory.initiatedId ? [payment, inventory] : [inventory, payment];
      if (first.closedId !== undefined && first.closedId < second.initiatedId) {
        return fail(
          `${second.workflowId} was started only after ${first.workflowId} had ${first.closedAs}: the children ran one after the other`,
        );
      }
      return ok(`${first.workflowId} and ${second.workflowId} were both started before either finished`);
    },
  },
  '07-child-ids': {
    scenario: SCENARIOS_07.happy,
    check: (obs) => {
      const spans = childRuns(obs);
      if (!spans) return fail(NO_HISTORY);
      const idOf = (kind: ChildKind) => childWorkflowIdOf('07', kind, obs.order.orderId);
      const wrong = LESSONS['07'].children.filter(
        (kind) => !spans.some((s) => s.kind === kind && s.workflowId === idOf(kind)),
      );
      if (wrong.length) {
        const seen = spans.map((s) => `${s.kind ?? '?'}=${s.workflowId}`).join(', ') || 'none';
        return fail(`expected IDs ${wrong.map(idOf).join(', ')}; the history shows ${seen}`);
      }
      return ok();
    },
  },
  '07-happy-path': {
    scenario: SCENARIOS_07.happy,
    check: (obs) => {
      const done = completed(obs);
      if (!done.pass) return done;
      const expected = { charges: 1, reservations: 1, shipments: 1, emails: 1, refunds: 0, releases: 0 };
      const { counts, asExpected } = sideEffects(obs.audit, expected);
      if (!asExpected) {
        return fail(`expected exactly one of each side effect and nothing undone; the ledger has ${counts}`);
      }
      return chargedTotal(obs, 105_997, counts);
    },
  },
  '07-shipping-waits-for-both': {
    scenario: SCENARIOS_07.happy,
    check: (obs) => {
      const spans = childRuns(obs);
      if (!spans) return fail(NO_HISTORY);
      const span = (kind: ChildKind) => spans.find((s) => s.kind === kind);
      const shipping = span('shipping');
      const notification = span('notification');
      if (!shipping) return fail('the parent never started a shipping child');
      for (const kind of ['payment', 'inventory'] as const) {
        const before = span(kind);
        if (!before) return fail(`the parent never started a ${kind} child`);
        if (
          before.closedId === undefined ||
          before.closedId > shipping.initiatedId ||
          before.closedAs !== 'completed'
        ) {
          return fail(
            `${shipping.workflowId} was started before ${before.workflowId} had completed: shipping needs the reserved item count and a charge that went through`,
          );
        }
      }
      if (!notification) return fail('the parent never started a notification child');
      if (shipping.closedId === undefined || shipping.closedId > notification.initiatedId) {
        return fail(`${notification.workflowId} was started before ${shipping.workflowId} had finished`);
      }
      return ok('payment and inventory completed, then shipping, then notification');
    },
  },
  '07-notification-failure-tolerated': {
    scenario: SCENARIOS_07.notificationFails,
    check: (obs) => {
      if (obs.outcome.kind !== 'completed') {
        return fail(
          `a failed email made the order end as ${obs.outcome.kind}: ${'message' in obs.outcome ? obs.outcome.message : ''}`,
        );
      }
      const a = obs.audit;
      if (a.shipments.filter((s) => !s.cancelled).length !== 1 || a.refunds.length !== 0 || a.releases.length !== 0) {
        return fail('the order should stay shipped, reserved and charged; the ledger shows something undone');
      }
      const warnings = (obs.outcome as { result?: { warnings?: unknown[] } }).result?.warnings;
      if (Array.isArray(warnings) && warnings.length === 0)
        return fail('the result records no warning about the email');
      return ok();
    },
  },
  '07-declined-while-reserving': {
    scenario: SCENARIOS_07.declinedWhileReserving,
    check: (obs) => {
      if (obs.outcome.kind === 'completed') return fail('the order completed although the card was declined');
      const a = obs.audit;
      if (a.charges.length) return fail(`the ledger shows ${a.charges.length} charge(s) for a declined card`);
      if (obs.calls.some((c) => c.step === 'inventory' && c.outcome === REFUSED_LATE)) {
        return fail(
          'the release ran before the reservation had landed (it found nothing to release, and the inventory service refused the reservation when it arrived). Compensate only after the inventory child has settled.',
        );
      }
      if (a.stuckReservations.length) {
        return fail(
          callsOf(obs, 'release') > 0
            ? 'the reservation is stuck: the release ran before the reservation had landed (it found nothing to release). Compensate only after the inventory child has settled.'
            : 'the reservation is stuck: it landed after the card was declined and was never released',
        );
      }
      const spans = childRuns(obs);
      if (!spans) return fail(NO_HISTORY);
      if (!spans.some((s) => s.kind === 'inventory')) {
        return fail(
          'the inventory child never started: this scenario needs payment and inventory started together (Part A)',
        );
      }
      const problems = ledgerProblems(obs);
      if (problems.length) return fail(`the ledger shows ${problems.join(', ')}`);
      const releases = callsOf(obs, 'release');
      if (a.reservations.length === 1 && (a.releases.length !== 1 || releases !== 1)) {
        return fail(
          `the reservation was released ${a.releases.length} time(s) over ${releases} call(s); expected once`,
        );
      }
      return ok(
        a.reservations.length
          ? 'the reservation landed after the card was declined, and was released once, after it landed'
          : 'the reservation was cancelled before it started: nothing to release',
      );
    },
  },
  '07-inventory-fails-after-payment': {
    scenario: SCENARIOS_07.inventoryFails,
    check: (obs) => {
      if (obs.outcome.kind === 'completed') return fail('the order completed although inventory always fails');
      const a = obs.audit;
      if (a.charges.length !== 1) {
        return fail(`expected the card to be charged once before inventory failed; the ledger has ${a.charges.length}`);
      }
      if (a.refunds.length === 0) return fail('the payment was not refunded: the customer stays charged');
      const refunds = callsOf(obs, 'refund');
      if (refunds !== 1) return fail(`the refund was called ${refunds} times; each compensation runs exactly once`);
      const problems = ledgerProblems(obs);
      if (problems.length) return fail(`the ledger shows ${problems.join(', ')}`);
      return ok('charged once, refunded once');
    },
  },
  '07-status-during-fan-out': {
    scenario: SCENARIOS_07.happy,
    check: (obs) => {
      const samples = obs.statusSamples;
      if (!samples) return fail(NO_HISTORY);
      const answers = samples.map((s) => s.parent as StatusAnswer);
      const answered = answers.filter((p) => !p.queryError);
      if (answered.length === 0) {
        const error = answers.find((p) => p.queryError)?.queryError ?? 'no answer';
        return fail(
          wrongQueryName('the parent', error) ??
            `the parent never answered 'status' while the order ran (${queryErrorLine(error)}): register the handler before the first await`,
        );
      }
      const both = samples.find((s) => {
        const c = (s.parent as StatusAnswer).children;
        return c?.payment?.state === 'RUNNING' && c?.inventory?.state === 'RUNNING';
      });
      if (!both) {
        const seen = [
          ...new Set(
            answered.map((p) => `payment=${p.children?.payment?.state} inventory=${p.children?.inventory?.state}`),
          ),
        ];
        return fail(
          `the parent's status never showed payment and inventory RUNNING at the same time; it showed ${seen.join(' → ')}`,
        );
      }
      const problems: string[] = [];
      for (const kind of ['payment', 'inventory'] as const) {
        const own = samples.map((s) => s.children[kind] as StatusAnswer | undefined);
        if (!own.some((a) => a?.state === 'RUNNING')) {
          const error = own.find((a) => a?.queryError)?.queryError;
          const id = childWorkflowIdOf('07', kind, obs.order.orderId);
          problems.push(
            (error && wrongQueryName(id, error)) ||
              `${id} never answered 'status' with RUNNING while it ran${error ? ` (${queryErrorLine(error)})` : ''}`,
          );
        }
      }
      if (problems.length) return fail(problems.join('; '));
      return ok(`at ${both.atMs} ms the parent reported ${(both.parent as StatusAnswer).state}`);
    },
  },
} satisfies Record<string, Check>;
