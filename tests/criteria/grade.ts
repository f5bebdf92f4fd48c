/**
 * The grader's engine: score a lesson directory against its criteria on the test server, and turn
 * failures into plain-words explanations with file:line where the cause is in the learner's code.
 * `npm run grade` (scripts/grade.ts) prints it; the tests call it on deliberately broken variants.
 */
import { isLessonId, LESSONS, type LessonId } from '../../common/lessons';
import { criteriaFor } from './checks';
import { Finding, compileErrors, workflowPitfalls } from './pitfalls';
import { REPO_ROOT } from './observe';
import { Score, scoreTarget } from './scorecard';

export interface GradedCriterion {
  id: string;
  part: string;
  title: string;
  pass: boolean;
  detail: string;
  hint: string;
  /** What went wrong, in plain words, when the grader can tell. */
  explanation?: string;
}

export interface GradeReport {
  lesson: string;
  lessonDir: string;
  findings: Finding[];
  criteria: GradedCriterion[];
  passed: number;
  total: number;
}

function at(f: Finding): string {
  return `${f.file}:${f.line}`;
}

function explain(score: Score, findings: Finding[]): string | undefined {
  const outcome = score.observation?.outcome;
  const first = (kind: Finding['kind']) => findings.find((f) => f.kind === kind);
  if (/could not run/.test(score.detail)) {
    const imp = first('disallowed-import');
    if (imp) return `The workflow bundle could not be built: ${at(imp)} ${imp.message}`;
    return `The worker could not start: ${score.detail.replace(/^the scenario could not run: /, '').split('\n')[0]}`;
  }
  if (outcome?.kind === 'stuck') {
    if (outcome.nondeterminism) {
      return `Nondeterminism in ${outcome.workflowId}: on replay the workflow code made different calls than its history records (${outcome.message.split('\n')[0]}). Workflow code must make the same calls in the same order every time it runs: no branching on time, randomness or outside state; restart running workflows after changing their code.`;
    }
    const plain = first('plain-error');
    if (plain)
      return `A workflow task keeps failing in ${outcome.workflowId} ("${outcome.message}"): ${at(plain)} ${plain.message}`;
    return `A workflow task keeps failing in ${outcome.workflowId}: "${outcome.message}". Temporal retries failing workflow tasks forever; a bug in workflow code shows up like this (see the Web UI's WorkflowTaskFailed event).`;
  }
  if (outcome?.kind === 'timeout') {
    const unlimited = first('unlimited-retries');
    const calls = score.observation?.calls ?? [];
    const byStep = new Map<string, number>();
    for (const c of calls) byStep.set(c.step, (byStep.get(c.step) ?? 0) + 1);
    const busiest = [...byStep.entries()].sort((a, b) => b[1] - a[1])[0];
    if (unlimited) return `${outcome.message}: ${at(unlimited)} ${unlimited.message}`;
    if (busiest && busiest[1] > 4) {
      return `${outcome.message}: the ${busiest[0]} step was tried ${busiest[1]} times and kept failing. Without maximumAttempts an activity is retried forever; set a limit so the failure reaches ${score.criterion.lesson === '02' ? 'the workflow and the order fails instead of hanging' : 'the parent and it can compensate'}.`;
    }
    return `${outcome.message}. Look for a step that waits forever (an activity with unlimited retries, a child that never completes).`;
  }
  if (outcome?.kind === 'failed') {
    // An activity retried without a limit can also end as a failure: the server cuts its last attempt
    // off at the workflow's execution timeout, and the workflow reports that as its own failure.
    const unlimited = first('unlimited-retries');
    const calls = score.observation?.calls ?? [];
    const byStep = new Map<string, number>();
    for (const c of calls) byStep.set(c.step, (byStep.get(c.step) ?? 0) + 1);
    const busiest = [...byStep.entries()].sort((a, b) => b[1] - a[1])[0];
    if (unlimited && busiest && busiest[1] > 4) {
      return `The ${busiest[0]} step was tried ${busiest[1]} times before the order gave up: ${at(unlimited)} ${unlimited.message}`;
    }
  }
  if (outcome?.kind === 'failed' && /TODO Part [A-Z]/.test(outcome.message)) {
    return `Still a TODO: ${outcome.message.replace(/^order \S+ failed at \w+: /, '').split(';')[0]}`;
  }
  if (outcome?.kind === 'failed' && outcome.root && /TODO Part [A-Z]/.test(outcome.root)) {
    return `Still a TODO: ${outcome.root}`;
  }
  if (
    ['06-children-in-order', '06-happy-path', '02-activities-in-order', '02-happy-path'].includes(score.criterion.id)
  ) {
    const missing = first('missing-await');
    if (missing) return `${at(missing)} ${missing.message}`;
  }
  if (outcome?.kind === 'failed' && outcome.message) {
    return `The order failed: ${outcome.message.split('\n')[0]}${outcome.root ? ` (root cause: ${outcome.root.split('\n')[0]})` : ''}`;
  }
  return undefined;
}

/** Grades the lesson code in `lessonDir` (needs the test server: tests/support/server.ts). */
export async function gradeLesson(lesson: string, lessonDir: string, part?: string): Promise<GradeReport> {
  const findings = [...compileErrors(lessonDir, REPO_ROOT), ...workflowPitfalls(lessonDir, REPO_ROOT)];
  const scores = await scoreTarget(
    { kind: 'temporal', name: 'grade', lessonDir, lesson: lesson as LessonId },
    criteriaFor(lesson, part),
  );
  const criteria = scores.map((score) => ({
    id: score.criterion.id,
    part: score.criterion.part,
    title: score.criterion.title,
    pass: score.pass,
    detail: score.detail,
    hint: score.criterion.hint,
    ...(score.pass ? {} : { explanation: explain(score, findings) }),
  }));
  return {
    lesson,
    lessonDir,
    findings,
    criteria,
    passed: criteria.filter((c) => c.pass).length,
    total: criteria.length,
  };
}

export function partTitle(lesson: string, part: string): string {
  return isLessonId(lesson) ? (LESSONS[lesson].parts[part]?.title ?? '') : '';
}
