/**
 * Reproducible fault injection for the simulated services.
 *
 * A plan maps a step (payment, inventory, ...) to a rule:
 *   0.15        fail with this probability (drawn from seed, step, order ID and attempt)
 *   always      every attempt fails
 *   never       no attempt fails
 *   first:N     the first N attempts fail before doing anything
 *   after:N     the first N attempts do the work, then report an error
 *               (like a timeout after the card was already charged)
 * `ORDER_FAULTS=none` switches every fault off.
 *
 * A draw depends only on (seed, step, order ID, attempt), never on timing or call order, so the
 * monolith and the Temporal solution meet exactly the same faults for the same seed.
 *
 * Branches: a call that names a branch (lesson 03 reserves stock at several warehouses at once, each a
 * branch: `east`, `west` …) draws for `step.branch` instead of `step`, so two warehouses of one order
 * fail independently, and a rule may single one out: `inventory.west=always`, `inventory.east=first:1`.
 * A rule for `inventory` covers every branch that has no rule of its own. A call without a branch draws
 * exactly as before.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { KitError } from './errors';
import { parsePlan, StepPlan, type PlanSpec } from './step-plan';

const temporalAttempt = new AsyncLocalStorage<number>();

/**
 * Runs `fn` knowing which attempt of its activity it is (Temporal's own count). Workers wrap every
 * activity in this (common/worker.ts), so the fault plan then counts attempts the way Temporal does:
 * an attempt handed to a worker that crashed before calling the service still counts, and the plan
 * cannot drift from the retry policy. The services take the larger of that and the ledger's count of
 * calls with the same key, so an undo retried in rounds (each round a new activity, attempts 1, 2, 3)
 * keeps counting: `refund=first:5` fails five calls in all, then recovers. Outside a worker (the
 * monolith, unit tests) the ledger's count of calls per key is the attempt.
 */
export function runWithAttempt<T>(attempt: number, fn: () => Promise<T>): Promise<T> {
  return temporalAttempt.run(attempt, fn);
}

/** The attempt `runWithAttempt` set for the code running now, if any. */
export function currentAttempt(): number | undefined {
  return temporalAttempt.getStore();
}

export const FAULT_STEPS = [
  'validate',
  'payment',
  'inventory',
  'shipping',
  'notification',
  'refund',
  'release',
  'cancelShipment',
  'fraud',
] as const;
export type FaultStep = (typeof FAULT_STEPS)[number];

export type FaultRule =
  | { kind: 'probability'; p: number }
  | { kind: 'always' }
  | { kind: 'never' }
  | { kind: 'first'; n: number }
  | { kind: 'after'; n: number };

/** What the fault plan says about one attempt of one step. */
export type FaultDecision = 'none' | 'fail-before' | 'fail-after';

/** A step of one branch: `inventory.east`. */
export type BranchStep = `${FaultStep}.${string}`;

export type FaultPlanSpec = PlanSpec<FaultRule>;

/** ORDER_FAULTS (or a fault plan given in code) that cannot be read: the message names the bad token. */
export class FaultConfigError extends KitError {}

function parseRule(value: string, step: string, token: string): FaultRule {
  if (value === 'always') return { kind: 'always' };
  if (value === 'never') return { kind: 'never' };
  const counted = /^(first|after):(\d+)$/.exec(value);
  if (counted) {
    const n = Number(counted[2]);
    if (n < 1) {
      throw new FaultConfigError(
        `ORDER_FAULTS: "${token}" for step "${step}" counts no attempt: use ${counted[1]}:1 or more, or "never"`,
      );
    }
    return { kind: counted[1] as 'first' | 'after', n };
  }
  if (/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/.test(value)) {
    return { kind: 'probability', p: Number(value) };
  }
  throw new FaultConfigError(
    `ORDER_FAULTS: bad value in "${token}" for step "${step}": expected a probability between 0 and 1, ` +
      `"always", "never", "first:N" or "after:N"`,
  );
}

/**
 * Parses `payment=0.15,inventory=first:2,...`. Throws FaultConfigError naming the bad token. `none`
 * switches every fault off (an empty value means "use the lesson's defaults", see fromEnv).
 */
export function parseFaults(text: string, knownSteps: readonly string[] = FAULT_STEPS): FaultPlanSpec {
  const syntax = {
    variable: 'ORDER_FAULTS',
    value: 'rule',
    example: 'payment=0.15',
    branchExample: 'inventory.east=always',
    steps: knownSteps,
    error: FaultConfigError,
  };
  return parsePlan(text, syntax, parseRule);
}

export function parseSeed(text: string | undefined, fallback = 1): number {
  if (text === undefined || text.trim() === '') return fallback;
  if (!/^-?\d+$/.test(text.trim())) {
    throw new FaultConfigError(`ORDER_SEED: "${text}" is not a whole number`);
  }
  return Number(text.trim());
}

/** A uniform number in [0, 1) that depends only on its inputs. */
export function draw(seed: number, step: string, orderId: string, attempt: number): number {
  const digest = createHash('sha256').update(`${seed}|${step}|${orderId}|${attempt}`).digest();
  // 48 bits are plenty and stay exact in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export class FaultPlan extends StepPlan<FaultRule> {
  /** A plan that never fails anything. */
  static none(): FaultPlan {
    return new FaultPlan({}, 0);
  }

  static parse(text: string, seed = 1): FaultPlan {
    return new FaultPlan(parseFaults(text), seed);
  }

  /**
   * The plan from ORDER_FAULTS / ORDER_SEED, falling back to a lesson's default rates when
   * ORDER_FAULTS is not set.
   */
  static fromEnv(defaults: string, env: NodeJS.ProcessEnv = process.env): FaultPlan {
    const text = env.ORDER_FAULTS?.trim() ? env.ORDER_FAULTS : defaults;
    return new FaultPlan(parseFaults(text), parseSeed(env.ORDER_SEED));
  }

  /**
   * `attempt` starts at 1. `branch`: the branch the call belongs to (a warehouse), when it has one: its
   * own rule (`inventory.east`) applies if there is one, else the step's, and a probability is drawn
   * for `inventory.east`, independently of the order's other branches.
   */
  decide(step: FaultStep, orderId: string, attempt: number, branch?: string): FaultDecision {
    const { drawn, rule } = this.ruleFor(step, branch);
    if (!rule) return 'none';
    switch (rule.kind) {
      case 'never':
        return 'none';
      case 'always':
        return 'fail-before';
      case 'first':
        return attempt <= rule.n ? 'fail-before' : 'none';
      case 'after':
        return attempt <= rule.n ? 'fail-after' : 'none';
      case 'probability':
        return draw(this.seed, drawn, orderId, attempt) < rule.p ? 'fail-before' : 'none';
    }
  }

  /** `faults payment=0.15,inventory=0.2 (seed 1)` or `faults none`, for log lines. */
  describe(): string {
    const text = this.toString();
    return text ? `faults ${text} (seed ${this.seed})` : 'faults none';
  }

  protected formatRule(rule: FaultRule): string {
    switch (rule.kind) {
      case 'probability':
        return String(rule.p);
      case 'always':
      case 'never':
        return rule.kind;
      case 'first':
      case 'after':
        return `${rule.kind}:${rule.n}`;
    }
  }
}
