/**
 * What the fault plan and the latency plan share. Both are written as `step=value,…` (ORDER_FAULTS,
 * ORDER_LATENCY), where a value may single out one branch of a step (`inventory.east=…`), and a call of a
 * branch takes its branch's value when the plan gives one, else its step's. Each plan reads and writes
 * its own values; the list, its steps and its branches are read here, and a mistake is refused with a
 * message that names the bad token.
 */
import type { KitError } from './errors';
import type { BranchStep, FaultStep } from './faults';

/** A branch name as a rule may give it: lower-case letters, digits and '-' (`east`, `dc-2`). */
const BRANCH_PATTERN = /^[a-z0-9][a-z0-9-]*$/;

/** How a plan is written, for the messages that refuse a mistake. */
export interface PlanSyntax {
  /** Where the text comes from, which every message names first: `ORDER_FAULTS`. */
  variable: string;
  /** What the value of a step is called (`rule`), with an example of a step and of a branch. */
  value: string;
  example: string;
  branchExample: string;
  steps: readonly string[];
  error: new (message: string) => KitError;
}

export type PlanSpec<R> = Partial<Record<FaultStep | BranchStep, R>>;

/** Reads `step=value,step.branch=value,…`, each value with `parseValue`. Empty or `none`: an empty plan. */
export function parsePlan<R>(
  text: string,
  syntax: PlanSyntax,
  parseValue: (value: string, step: string, token: string) => R,
): PlanSpec<R> {
  const spec: Record<string, R> = {};
  const refusal = (message: string) => new syntax.error(`${syntax.variable}: ${message}`);
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return spec;
  for (const raw of trimmed.split(',')) {
    const token = raw.trim();
    const eq = token.indexOf('=');
    if (eq <= 0) throw refusal(`bad token "${token}": expected step=${syntax.value}, e.g. ${syntax.example}`);
    const step = token.slice(0, eq).trim();
    const dot = step.indexOf('.');
    const base = dot < 0 ? step : step.slice(0, dot);
    const branch = dot < 0 ? undefined : step.slice(dot + 1);
    if (!syntax.steps.includes(base)) {
      throw refusal(`unknown step "${base}" in "${token}"; known steps: ${syntax.steps.join(', ')}`);
    }
    if (branch !== undefined && !BRANCH_PATTERN.test(branch)) {
      throw refusal(`bad branch "${branch}" in "${token}": expected step.branch, e.g. ${syntax.branchExample}`);
    }
    if (step in spec) throw refusal(`step "${step}" is given twice (in "${token}")`);
    spec[step] = parseValue(token.slice(eq + 1).trim(), step, token);
  }
  return spec;
}

/** A plan of one rule per step or branch, seeded so that its draws can be repeated exactly. */
export abstract class StepPlan<R> {
  constructor(
    readonly spec: PlanSpec<R>,
    readonly seed: number,
  ) {}

  /**
   * The rule for a call of `step` (of `branch`, when it names one: a warehouse): the branch's own
   * (`inventory.east`) when the plan has one, else the step's; and the name its draws are made for,
   * so that two branches of one order draw independently.
   */
  protected ruleFor(step: FaultStep, branch?: string): { drawn: FaultStep | BranchStep; rule?: R } {
    const drawn: FaultStep | BranchStep = branch ? `${step}.${branch}` : step;
    return { drawn, rule: this.spec[drawn] ?? this.spec[step] };
  }

  isEmpty(): boolean {
    return Object.keys(this.spec).length === 0;
  }

  /** The plan as the text it is written in, so it can be handed to another process. */
  toString(): string {
    return Object.entries(this.spec)
      .map(([step, rule]) => `${step}=${this.formatRule(rule as R)}`)
      .join(',');
  }

  protected abstract formatRule(rule: R): string;
}
