/**
 * What the grader can tell from the code itself, before anything runs: compile errors
 * (./compile-errors.ts), and the classic Temporal pitfalls (DESIGN §8) in workflow code
 * (./workflow-pitfalls.ts) and activities (./activity-pitfalls.ts), each with file:line and plain words.
 *
 * It loads the TypeScript compiler, so the grader runs it off the main thread (./static-check.ts).
 */
import { activityPitfalls } from './activity-pitfalls';
import { compileErrors } from './compile-errors';
import { workflowPitfalls } from './workflow-pitfalls';

export type FindingKind =
  | 'compile'
  | 'disallowed-import'
  | 'plain-error'
  | 'missing-await'
  | 'unlimited-retries'
  | 'retry-loop'
  | 'late-query-handler'
  | 'swallowed-error'
  | 'unguarded-join';

export interface Finding {
  kind: FindingKind;
  /** Relative to the repository root. */
  file: string;
  line: number;
  message: string;
}

/** Everything the code itself shows, most fundamental first: type errors, then pitfalls. */
export function staticFindings(lessonDir: string, root: string): Finding[] {
  return [
    ...compileErrors(lessonDir, root),
    ...workflowPitfalls(lessonDir, root),
    ...activityPitfalls(lessonDir, root),
  ];
}
