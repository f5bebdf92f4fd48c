/**
 * What a criterion is for the grader: its manifest entry (common/lessons.ts) joined with the check that
 * judges it, and the verdict that check returns. Plus the few words every lesson's checks share.
 */
import type { CriterionSpec, LessonId } from '../../common/lessons';
import type { Audit } from '../../services';
import type { Observation, Outcome, Scenario } from './observation';

/** A criterion as the manifest states it, with the lesson it belongs to. */
export interface CriterionMeta extends CriterionSpec {
  lesson: LessonId;
}

export interface Verdict {
  pass: boolean;
  /** Why it failed (or what was seen), in plain words. */
  detail: string;
}

/** How a lesson's checks file judges one criterion: the scenarios it reads and the check itself. */
export interface Check {
  scenario: Scenario;
  /**
   * More scenarios the same check reads, one observation each (say, the same mistake met at each step):
   * the criterion passes only when the check passes on every one of them.
   */
  moreScenarios?: Scenario[];
  check: (obs: Observation) => Verdict;
}

export interface Criterion extends CriterionMeta, Check {}

/** Every scenario a criterion reads, its own first. */
export function scenariosOf(criterion: Pick<Criterion, 'scenario' | 'moreScenarios'>): Scenario[] {
  return [criterion.scenario, ...(criterion.moreScenarios ?? [])];
}

export const ok = (detail = 'ok'): Verdict => ({ pass: true, detail });
export const fail = (detail: string): Verdict => ({ pass: false, detail });

export const NO_HISTORY = 'no workflow history: this target runs no Temporal workflows';

/** How an order that did not complete ended, in words: `failed: …`, `was stopped: …`. */
export function ending(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'completed':
      return 'completed';
    case 'retrying-forever':
      return `was stopped: ${outcome.message}`;
    case 'stuck':
      return `was stopped: a workflow task keeps failing (${outcome.message.split('\n')[0]})`;
    default:
      return `ended as ${outcome.kind}: ${outcome.message}`;
  }
}

/** Passes when the order completed; otherwise says how it ended. */
export function completed(obs: Observation): Verdict {
  if (obs.outcome.kind === 'completed') return ok();
  return fail(`the order ${ending(obs.outcome)}`);
}

/** How many times the ledger saw `step` called (with idempotency key `key`, when given). */
export function callsOf(obs: Observation, step: string, key?: string): number {
  return obs.calls.filter((c) => c.step === step && (!key || c.key === key)).length;
}

/** The side effects a happy order's verdict counts, by the names it gives them. */
const SIDE_EFFECTS = {
  charges: (a: Audit) => a.charges,
  reservations: (a: Audit) => a.reservations,
  shipments: (a: Audit) => a.shipments,
  emails: (a: Audit) => a.notifications,
  refunds: (a: Audit) => a.refunds,
  releases: (a: Audit) => a.releases,
};

/**
 * How many of each side effect in `expected` the ledger holds, in its order (`charges 1, refunds 0`), and
 * whether each is exactly as many as expected.
 */
export function sideEffects(
  audit: Audit,
  expected: Partial<Record<keyof typeof SIDE_EFFECTS, number>>,
): { counts: string; asExpected: boolean } {
  const seen = Object.entries(expected).map(([name, want]) => {
    const n = SIDE_EFFECTS[name as keyof typeof SIDE_EFFECTS](audit).length;
    return { text: `${name} ${n}`, right: n === want };
  });
  return { counts: seen.map((s) => s.text).join(', '), asExpected: seen.every((s) => s.right) };
}

/** Passes, saying `seen`, when the order's (first) charge is its total, `totalCents`. */
export function chargedTotal(obs: Observation, totalCents: number, seen: string): Verdict {
  const charged = obs.audit.charges[0].amountCents;
  if (charged !== totalCents) return fail(`charged ${charged} cents, expected ${totalCents} (the order total)`);
  return ok(seen);
}
