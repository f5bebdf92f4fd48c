/**
 * Lesson 03's criteria as checks over observations: one workflow of activities, a saga, a fan-out over
 * the warehouses and its partial failure. Registered in ./checks.ts with the other lessons'; the titles,
 * Parts and hints live in the lesson manifest (common/lessons.ts).
 *
 * Everything is read from the workflow's event history and the ledger, never from logs. Overlap is read
 * from the history twice over: every reservation scheduled before any of them closed (event IDs), and
 * started before any closed (the times the server recorded). "One warehouse fails while another is
 * still reserving" is made certain by simulated latency: the east warehouse takes 2 s, the west one
 * refuses at once (its item is sold out).
 */
import { CATALOG, formatCents, REFUSED_LATE, splitByWarehouse, type LineItem } from '../../services';
import { activityRuns, type ActivityRun } from './activity-runs';
import { callsOf, ending, fail, NO_HISTORY, ok, type Check } from './criterion';
import type { Observation, Scenario } from './observation';
import { ACTIVITY_STEPS_03 } from './observe-alone';

function line(sku: string, quantity: number): LineItem {
  const entry = CATALOG.find((e) => e.sku === sku)!;
  return { sku, name: entry.name, quantity, unitPriceCents: entry.priceCents };
}

export const SCENARIOS_03 = {
  // Validation and every reservation take 1 s: the status can be asked while the order validates, and
  // while both warehouses reserve.
  happy: {
    id: '03-happy',
    faults: 'none',
    latency: 'validate=1s,inventory=1s',
    earlyQuery: true,
    watchStatus: true,
  },
  // Each forward activity called on its own (no workflow, no server) while its service fails that call.
  activitiesAlone: {
    id: '03-activities-alone',
    faults: 'validate=first:1,payment=first:1,inventory=first:1,shipping=first:1,notification=first:1',
    mode: 'activities',
  },
  // The payment and every warehouse fail their first attempt (each warehouse under its own key).
  flaky: { id: '03-flaky', faults: 'payment=first:1,inventory=first:1' },
  // Every payment call charges the card, then reports an error (a timeout after the money moved).
  chargedThenError: { id: '03-charged-then-error', faults: 'payment=after:100', hopeless: ['chargePayment'] },
  // Every shipping call books the parcel, then reports an error.
  bookedThenError: { id: '03-booked-then-error', faults: 'shipping=after:100', hopeless: ['arrangeShipment'] },
  // A laptop from the east warehouse (2 s to reserve) and the sold-out camera from the west one.
  oneWarehouseFails: {
    id: '03-one-warehouse-fails',
    faults: 'none',
    latency: 'inventory.east=2s',
    order: { items: [line('LAPTOP-15', 1), line('VINTAGE-CAMERA', 1)] },
  },
} satisfies Record<string, Scenario>;

/** `reserveAtWarehouse(east)`, `chargePayment`. */
function label(span: ActivityRun): string {
  return span.input?.warehouse ? `${span.type}(${span.input.warehouse})` : span.type;
}

/** What the ledger says is wrong: charged for nothing, stock locked, goods given away, a false email. */
function ledgerProblems(obs: Observation): string[] {
  const { orphanedCharges, stuckReservations, shippedUnpaid, emailsForFailedOrders } = obs.audit;
  const problems: string[] = [];
  if (orphanedCharges.length) problems.push(`${orphanedCharges.length} orphaned charge(s)`);
  if (stuckReservations.length) problems.push(`${stuckReservations.length} stuck reservation(s)`);
  if (shippedUnpaid.length) problems.push(`${shippedUnpaid.length} shipment(s) never paid for`);
  if (emailsForFailedOrders.length)
    problems.push(`${emailsForFailedOrders.length} "has shipped" email(s) for a failed order`);
  return problems;
}

function reservationKeyOf(warehouse: string, orderId: string): string {
  return `inventory-${warehouse}-03-${orderId}`;
}

export const CHECKS_03 = {
  '03-happy-path': {
    scenario: SCENARIOS_03.happy,
    check: (obs) => {
      if (obs.outcome.kind !== 'completed') return fail(`the order ${ending(obs.outcome)}`);
      const a = obs.audit;
      const { orderId } = obs.order;
      const parcels = splitByWarehouse(obs.order.items);
      const total = obs.order.items.reduce((sum, item) => sum + item.quantity * item.unitPriceCents, 0);
      const problems: string[] = [];
      if (a.charges.length !== 1) problems.push(`expected one charge; the ledger has ${a.charges.length}`);
      else if (a.charges[0].amountCents !== total)
        problems.push(`charged ${a.charges[0].amountCents} cents, expected ${total} (the order total)`);
      const expected = parcels.map((p) => reservationKeyOf(p.warehouse, orderId));
      const keys = a.reservations.map((r) => r.key);
      if (keys.slice().sort().join() !== expected.slice().sort().join()) {
        problems.push(
          `expected one reservation per warehouse, keyed ${expected.join(', ')}; the ledger has ${keys.join(', ') || 'none'}`,
        );
      }
      const live = a.shipments.filter((s) => !s.cancelled);
      if (live.length !== 1) problems.push(`expected one shipment; the ledger has ${live.length}`);
      if (a.notifications.length !== 1) problems.push(`expected one email; the ledger has ${a.notifications.length}`);
      if (a.refunds.length || a.releases.length)
        problems.push(
          `nothing should be undone; the ledger has ${a.refunds.length} refund(s), ${a.releases.length} release(s)`,
        );
      if (problems.length) return fail(problems.join('; '));
      return ok(
        `charged ${formatCents(total)}, reserved at ${parcels.map((p) => p.warehouse).join(' and ')}, shipped, emailed`,
      );
    },
  },
  '03-one-call-per-attempt': {
    scenario: SCENARIOS_03.activitiesAlone,
    check: (obs) => {
      const probes = obs.activityCalls;
      if (!probes)
        return fail(
          'no activities: the original makes its calls inline, retrying one in a loop and none of the others',
        );
      const problems: string[] = [];
      for (const p of probes) {
        if (p.first === 'missing') problems.push(`there is no ${p.activity} activity`);
        else if (/TODO Part [A-Z]/.test(p.first)) problems.push(`${p.activity} ${p.first}`);
        else if (p.callsInFirstInvocation > 1)
          problems.push(
            `${p.activity} called the ${p.step} service ${p.callsInFirstInvocation} times in one attempt: ` +
              'a retry loop inside the activity hides the failures from Temporal',
          );
        else if (p.callsInFirstInvocation === 0) problems.push(`${p.activity} never called the ${p.step} service`);
        else if (p.first === 'returned')
          problems.push(
            `${p.activity} returned although the ${p.step} service failed: the error was caught and dropped, ` +
              'so Temporal would count the step as done and never retry it',
          );
        else if (p.second !== 'returned') problems.push(`${p.activity} failed on its second attempt too (${p.second})`);
        else if (typeof p.result !== 'object' || p.result === null)
          problems.push(`${p.activity} returned ${JSON.stringify(p.result)}; return a small plain object`);
      }
      return problems.length
        ? fail(problems.join('; '))
        : ok(`${probes.map((p) => p.activity).join(', ')}: one call each, the error escaped; then each returned`);
    },
  },
  '03-retry-policies': {
    scenario: SCENARIOS_03.flaky,
    check: (obs) => {
      const runs = activityRuns(obs);
      if (!runs) return fail(`${NO_HISTORY}: it retries the card in an endless loop, and nothing else`);
      const forward = runs.filter((r) => ACTIVITY_STEPS_03.some(([type]) => type === r.type));
      if (forward.length === 0) return fail('the history schedules no activities');
      const wrong = forward.filter((r) => !((r.maximumAttempts ?? 0) >= 2) || !((r.backoffCoefficient ?? 0) > 1));
      if (wrong.length) {
        const seen = [...new Map(wrong.map((r) => [r.type, r])).values()].map((r) => {
          const attempts = !r.maximumAttempts
            ? 'unset (unlimited: a step that can never succeed is retried for ever)'
            : r.maximumAttempts === 1
              ? '1 (a single attempt: the first fault fails the order)'
              : String(r.maximumAttempts);
          return `${r.type}: maximumAttempts ${attempts}, backoffCoefficient ${r.backoffCoefficient || 'unset'}`;
        });
        return fail(
          `expected a retry policy with maximumAttempts (3) and backoff on every step; the history shows ${seen.join('; ')}`,
        );
      }
      if (obs.outcome.kind !== 'completed')
        return fail(`the payment and each warehouse failed once, and the order ${ending(obs.outcome)}`);
      const notRetried = forward.filter(
        (r) => (r.type === 'chargePayment' || r.type === 'reserveAtWarehouse') && (r.attempt ?? 1) < 2,
      );
      if (notRetried.length)
        return fail(`${notRetried.map(label).join(', ')} completed on attempt 1 although its first call failed`);
      const policy = forward[0];
      return ok(
        `maximumAttempts ${policy.maximumAttempts}, backoffCoefficient ${policy.backoffCoefficient} on every step`,
      );
    },
  },
  '03-undo-before-step': {
    scenario: SCENARIOS_03.chargedThenError,
    check: (obs) => {
      const payments = callsOf(obs, 'payment');
      if (obs.outcome.kind === 'completed')
        return fail(`the order completed although every payment call reported an error (${payments} payment calls)`);
      if (obs.outcome.kind !== 'failed') return fail(`the order ${ending(obs.outcome)}`);
      const a = obs.audit;
      if (a.charges.length === 0) return fail(`the card was never charged (the order ${ending(obs.outcome)})`);
      if (a.refunds.length === 0) {
        return fail(
          'the card was charged (the money moved, then the call reported an error) and never refunded: ' +
            'an undo registered after a step that threw is never registered',
        );
      }
      const refunds = callsOf(obs, 'refund');
      if (refunds !== 1) return fail(`the refund was called ${refunds} times; each undo runs once`);
      const problems = ledgerProblems(obs);
      if (problems.length) return fail(`the ledger shows ${problems.join(', ')}`);
      return ok(`charged once, the call failed ${payments} time(s), refunded once`);
    },
  },
  '03-compensate-in-reverse': {
    scenario: SCENARIOS_03.bookedThenError,
    check: (obs) => {
      if (obs.outcome.kind === 'completed')
        return fail('the order completed although every shipping call reported an error');
      if (obs.outcome.kind !== 'failed') return fail(`the order ${ending(obs.outcome)}`);
      const a = obs.audit;
      if (a.shipments.length === 0) return fail(`the carrier was never called (the order ${ending(obs.outcome)})`);
      const problems: string[] = [];
      if (a.shipments.some((s) => !s.cancelled))
        problems.push(
          'the shipment the carrier booked was never cancelled: its undo was not registered before arrangeShipment',
        );
      const released = new Set(a.releases.map((r) => r.reservationId));
      const held = a.reservations.filter((r) => !released.has(r.reservationId)).map((r) => r.key);
      if (held.length) problems.push(`${held.join(', ')} never released`);
      if (a.refunds.length === 0 && a.charges.length > 0) problems.push('the card was never refunded');
      if (problems.length) return fail(problems.join('; '));
      const order = obs.calls
        .filter((c) => ['cancelShipment', 'release', 'refund'].includes(c.step) && c.outcome === 'ok')
        .map((c) => c.step);
      const expected = ['cancelShipment', ...a.reservations.map(() => 'release'), 'refund'];
      if (order.join() !== expected.join())
        return fail(`the undos ran ${order.join(' → ') || 'never'}; expected ${expected.join(' → ')} (newest first)`);
      const more = ledgerProblems(obs);
      if (more.length) return fail(`the ledger shows ${more.join(', ')}`);
      return ok(`undone newest first: ${order.join(' → ')}`);
    },
  },
  '03-reservations-overlap': {
    scenario: SCENARIOS_03.happy,
    check: (obs) => {
      const runs = activityRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      const parcels = splitByWarehouse(obs.order.items);
      const reservations = runs.filter((r) => r.type === 'reserveAtWarehouse');
      if (reservations.length < parcels.length) {
        return fail(
          `the history shows ${reservations.length} reservation(s); expected one per warehouse (${parcels.map((p) => p.warehouse).join(', ')})` +
            (obs.outcome.kind === 'completed' ? '' : `, and the order ${ending(obs.outcome)}`),
        );
      }
      const closed = reservations.filter((r) => r.closedId !== undefined).sort((x, y) => x.closedId! - y.closedId!);
      const first = closed[0];
      const late = first && reservations.find((r) => r.scheduledId > first.closedId!);
      if (late) {
        return fail(
          `${label(late)} was scheduled only after ${label(first)} had ${first.closedAs}: the warehouses were reserved one after the other`,
        );
      }
      const lastStart = Math.max(...reservations.map((r) => r.startedAt ?? Infinity));
      const firstEnd = Math.min(...reservations.map((r) => r.closedAt ?? Infinity));
      if (!(lastStart < firstEnd)) {
        return fail('the reservations were scheduled together, but one only started once another had ended');
      }
      return ok(`${reservations.map(label).join(' and ')} were all started before any of them finished`);
    },
  },
  '03-steps-in-order': {
    scenario: SCENARIOS_03.happy,
    check: (obs) => {
      const runs = activityRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      const of = (type: string) => runs.filter((r) => r.type === type);
      const missing = ACTIVITY_STEPS_03.map(([type]) => type).filter((type) => of(type).length === 0);
      if (missing.length)
        return fail(
          `the history never schedules ${missing.join(', ')}${obs.outcome.kind === 'completed' ? '' : `; the order ${ending(obs.outcome)}`}`,
        );
      // Each group must have completed before the next one was scheduled.
      const groups = ACTIVITY_STEPS_03.map(([type]) => of(type));
      for (let i = 1; i < groups.length; i++) {
        for (const before of groups[i - 1]) {
          for (const after of groups[i]) {
            if (
              before.closedId === undefined ||
              before.closedId > after.scheduledId ||
              before.closedAs !== 'completed'
            ) {
              const why =
                after.type === 'sendConfirmation'
                  ? ': the email says "has shipped", so it waits for the booking'
                  : after.type === 'arrangeShipment'
                    ? ': shipping needs every unit reserved'
                    : '';
              return fail(`${label(after)} was scheduled before ${label(before)} had completed${why}`);
            }
          }
        }
      }
      return ok('validate → charge → every reservation → shipping → email');
    },
  },
  '03-no-stuck-reservation': {
    scenario: SCENARIOS_03.oneWarehouseFails,
    check: (obs) => {
      if (obs.outcome.kind === 'completed') return fail('the order completed although its camera is sold out');
      if (obs.outcome.kind !== 'failed') return fail(`the order ${ending(obs.outcome)}`);
      const a = obs.audit;
      if (a.stuckReservations.length) {
        const keys = a.stuckReservations.map((r) => r.key).join(', ');
        return fail(`${keys} landed and was never released: the order left that stock locked for nobody`);
      }
      const problems = ledgerProblems(obs);
      if (problems.length) return fail(`the ledger shows ${problems.join(', ')}`);
      if (a.charges.length && !a.refunds.length) return fail('the card was not refunded');
      const east = reservationKeyOf('east', obs.order.orderId);
      if (callsOf(obs, 'inventory', east) === 0)
        return fail('the east warehouse was never asked to reserve: this scenario needs a reservation per warehouse');
      return ok(
        a.reservations.length
          ? 'the east reservation landed and was released; the card was refunded'
          : 'the east reservation never landed (refused after its release); the card was refunded',
      );
    },
  },
  '03-waits-for-running-branch': {
    scenario: SCENARIOS_03.oneWarehouseFails,
    check: (obs) => {
      if (obs.outcome.kind === 'completed') return fail('the order completed although its camera is sold out');
      if (obs.outcome.kind !== 'failed') return fail(`the order ${ending(obs.outcome)}`);
      const east = reservationKeyOf('east', obs.order.orderId);
      if (obs.calls.some((c) => c.step === 'inventory' && c.outcome === REFUSED_LATE)) {
        return fail(
          'the release of east ran while its reservation was still on its way (it found nothing to release, and the ' +
            'inventory service refused the reservation when it arrived): wait until every branch has settled before compensating',
        );
      }
      const runs = activityRuns(obs);
      if (!runs) return fail(NO_HISTORY);
      const reservations = runs.filter((r) => r.type === 'reserveAtWarehouse');
      const failed = reservations.find((r) => r.closedAs === 'failed');
      const running = reservations.find((r) => r.input?.idempotencyKey === east);
      if (!failed || !running) {
        return fail(
          `expected a reservation at east and at west in the history; it shows ${reservations.map(label).join(', ') || 'none'}`,
        );
      }
      if (
        running.scheduledId > (failed.closedId ?? Infinity) ||
        (running.closedId ?? Infinity) < (failed.closedId ?? 0)
      ) {
        return fail(
          'the warehouses were reserved one after the other, so no branch was still running when one failed: this needs the fan-out (Part C)',
        );
      }
      if (running.cancelRequestedId === undefined) {
        return fail(
          `when ${label(failed)} failed, ${label(running)} was left running: cancel the branches still running (scope.cancel()), then wait for them`,
        );
      }
      const release = runs.find((r) => r.type === 'releaseAtWarehouse' && r.input?.reservationKey === east);
      if (!release) return fail(`${label(running)} was never released`);
      if (running.closedId === undefined || release.scheduledId < running.closedId) {
        return fail(`the release of east was scheduled before ${label(running)} had settled`);
      }
      const a = obs.audit;
      const releases = callsOf(obs, 'release', `release-${east}`);
      if (a.reservations.length !== 1 || a.releases.length !== 1 || releases !== 1) {
        return fail(
          `expected the east reservation to land and be released once; the ledger has ${a.reservations.length} reservation(s), ` +
            `${a.releases.length} release(s) over ${releases} call(s)`,
        );
      }
      return ok(
        `${label(failed)} failed at once; ${label(running)} was cancelled, settled once its call had landed, and was released after it`,
      );
    },
  },
  '03-status-shows-branches': {
    scenario: SCENARIOS_03.happy,
    check: (obs) => {
      const samples = obs.statusSamples;
      if (!samples) return fail(NO_HISTORY);
      type Answer = { state?: string; reservations?: { warehouse?: string; state?: string }[]; queryError?: string };
      const early = obs.earlyQuery as Answer | undefined;
      if (early?.queryError) {
        const why = /did not register a handler for status/i.test(early.queryError)
          ? 'no handler for it was registered yet'
          : early.queryError.split('\n')[0].slice(0, 120);
        return fail(
          `while the order was still validating, the workflow did not answer 'status' (${why}): register the handler before the first await`,
        );
      }
      if (early && early.state !== 'VALIDATING')
        return fail(
          `while the order was validating, 'status' said ${JSON.stringify(early.state)}, expected VALIDATING`,
        );
      const answers = samples.map((s) => s.parent as Answer);
      const answered = answers.filter((p) => !p.queryError);
      if (answered.length === 0) {
        const error = answers.find((p) => p.queryError)?.queryError ?? 'no answer';
        return fail(`the workflow never answered 'status' while the order ran (${error.split('\n')[0].slice(0, 120)})`);
      }
      const warehouses = splitByWarehouse(obs.order.items).map((p) => p.warehouse);
      const all = answered.find((p) =>
        warehouses.every((w) => p.reservations?.some((b) => b.warehouse === w && b.state === 'RESERVING')),
      );
      if (!all) {
        const seen = [
          ...new Set(
            answered.map(
              (p) =>
                (p.reservations ?? []).map((b) => `${b.warehouse}=${b.state}`).join(' ') ||
                `no reservations (state ${p.state})`,
            ),
          ),
        ];
        return fail(
          `'status' never listed ${warehouses.join(' and ')} as RESERVING at the same time; it showed ${seen.join(' → ')}`,
        );
      }
      return ok(
        `'status' answered VALIDATING at first, then ${(all.reservations ?? []).map((b) => `${b.warehouse}=${b.state}`).join(' ')}`,
      );
    },
  },
} satisfies Record<string, Check>;
