/**
 * The lesson-06 mistakes docs/troubleshooting.md shows the grader catching, each as a copy of the
 * solution with that one mistake (tests/criteria/variants.ts puts it at `.variant-<name>/`, where the
 * lesson's imports still resolve). In the grader's output `.variant-<name>/` stands where your
 * `exercises/` would be.
 */
import path from 'node:path';
import { edit, variant } from '../criteria/variants';

const LESSON = '06-order-fulfillment';

export const MISTAKES = {
  /** §1: a Node module in workflow code. */
  'doc-node-fs': (dir: string) => {
    const file = path.join(dir, 'workflows', 'shipping.ts');
    edit(file, /^/, "import fs from 'node:fs';\n");
    edit(
      file,
      '  return runTracked(',
      "  fs.existsSync('/tmp/carrier-down'); // reads a file: the mistake\n  return runTracked(",
    );
  },
  /** §3: a child started without `await`. */
  'doc-no-await': (dir: string) => {
    edit(
      path.join(dir, 'workflows', 'order-fulfillment.ts'),
      "    await progress.runChild('payment'",
      "    progress.runChild('payment'",
    );
  },
  /** §7: a plain Error thrown in workflow code. */
  'doc-plain-error': (dir: string) => {
    edit(
      path.join(dir, 'workflows', 'payment.ts'),
      '  return runTracked(',
      "  if (input.amountCents > 1_000_000) throw new Error('order too large');\n  return runTracked(",
    );
  },
  /** §8: forward steps retried for ever. */
  'doc-no-max-attempts': (dir: string) => {
    edit(path.join(dir, 'workflows', 'options.ts'), '    maximumAttempts: 4,\n', '');
  },
} as const;

export type Mistake = keyof typeof MISTAKES;

/** Writes the copy with `mistake` and returns its directory (`.variant-<mistake>/06-order-fulfillment`). */
export function withMistake(mistake: Mistake): string {
  return variant(LESSON, mistake, MISTAKES[mistake]);
}

/** Output of a run on a variant, as it reads for a learner's `exercises/`. */
export function asExercises(output: string): string {
  return output.replace(/\.variant-doc-[\w-]+\//g, 'exercises/');
}
