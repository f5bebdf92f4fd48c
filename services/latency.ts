/**
 * Simulated network latency for the services, in the same style as the fault plan:
 *
 *   ORDER_LATENCY="payment=300ms,inventory=400ms,shipping=1s"
 *
 * Per step one of: a fixed duration (`300ms`, `1.5s`) or a range (`100ms-900ms`) drawn from the
 * seed, the step, the order ID and the attempt (so a run can be repeated exactly). Steps are the fault
 * plan's, and like its rules a duration may single out one branch: `inventory.east=2s` slows only the
 * east warehouse's reservations. Without ORDER_LATENCY (or with `none`) calls answer at once, which keeps
 * tests fast.
 */
import { KitError } from './errors';
import { draw, FAULT_STEPS, parseSeed, type FaultStep } from './faults';
import { parsePlan, StepPlan, type PlanSpec } from './step-plan';

/** ORDER_LATENCY that cannot be read: the message names the bad token. */
export class LatencyConfigError extends KitError {}

export interface LatencyRule {
  minMs: number;
  maxMs: number;
}

export type LatencySpec = PlanSpec<LatencyRule>;

/** Longest latency a rule may ask for: a typo such as `3000s` would otherwise look like a hang. */
const MAX_MS = 60_000;

function parseDuration(text: string, token: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text.trim());
  if (!m) {
    throw new LatencyConfigError(
      `ORDER_LATENCY: bad duration "${text}" in "${token}": expected e.g. 300ms, 1.5s or 100ms-900ms`,
    );
  }
  const ms = Math.round(Number(m[1]) * (m[2] === 's' ? 1000 : 1));
  if (ms > MAX_MS) throw new LatencyConfigError(`ORDER_LATENCY: "${text}" in "${token}" is over the limit of 60s`);
  return ms;
}

/** Parses `payment=300ms,inventory=100ms-900ms`. Throws LatencyConfigError naming the bad token. */
export function parseLatency(text: string): LatencySpec {
  const syntax = {
    variable: 'ORDER_LATENCY',
    value: 'duration',
    example: 'payment=300ms',
    branchExample: 'inventory.east=2s',
    steps: FAULT_STEPS,
    error: LatencyConfigError,
  };
  return parsePlan(text, syntax, (value, _step, token) => {
    const [low, high, extra] = value.split('-');
    if (extra !== undefined) throw new LatencyConfigError(`ORDER_LATENCY: bad range "${value}" in "${token}"`);
    const minMs = parseDuration(low, token);
    const maxMs = high === undefined ? minMs : parseDuration(high, token);
    if (maxMs < minMs) throw new LatencyConfigError(`ORDER_LATENCY: range "${value}" in "${token}" goes backwards`);
    return { minMs, maxMs };
  });
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 && ms > 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export class LatencyPlan extends StepPlan<LatencyRule> {
  static none(): LatencyPlan {
    return new LatencyPlan({}, 0);
  }

  static parse(text: string, seed = 1): LatencyPlan {
    return new LatencyPlan(parseLatency(text), seed);
  }

  /** The plan from ORDER_LATENCY (none when unset) and ORDER_SEED. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): LatencyPlan {
    return new LatencyPlan(parseLatency(env.ORDER_LATENCY ?? ''), parseSeed(env.ORDER_SEED));
  }

  /**
   * How long one attempt of `step` for `orderId` takes, in ms (0 when the plan says nothing). A call of
   * a branch (`branch`: a warehouse) takes its branch's duration when the plan gives one, else the step's,
   * and draws a range for itself.
   */
  delayMs(step: FaultStep, orderId: string, attempt: number, branch?: string): number {
    const { drawn, rule } = this.ruleFor(step, branch);
    if (!rule) return 0;
    if (rule.maxMs === rule.minMs) return rule.minMs;
    return (
      rule.minMs + Math.floor(draw(this.seed, `latency:${drawn}`, orderId, attempt) * (rule.maxMs - rule.minMs + 1))
    );
  }

  protected formatRule(rule: LatencyRule): string {
    return rule.minMs === rule.maxMs ? formatMs(rule.minMs) : `${formatMs(rule.minMs)}-${formatMs(rule.maxMs)}`;
  }

  /** `; latency payment=300ms` for log lines, or nothing when there is none. */
  describe(): string {
    return this.isEmpty() ? '' : `; latency ${this.toString()}`;
  }
}
