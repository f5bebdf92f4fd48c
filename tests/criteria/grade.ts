/**
 * The grader's engine: score a lesson directory against its criteria on the test server, and turn
 * failures into plain-words explanations with file:line where the cause is in the learner's code.
 * `npm run grade` (scripts/grade.ts) prints it; the tests call it on deliberately broken variants.
 *
 * The static half (type errors and pitfalls, ./static-check.ts) runs in a thread while the scenarios
 * run; `prepareGrading` starts it and the workflow bundle early, so both overlap with starting the
 * server.
 */
import { isLessonId, LESSONS, type LessonId } from '../../common/lessons';
import { lessonBundle } from './bundle';
import { REPO_ROOT } from '../../services';
import { criteriaFor, type CriterionId } from './checks';
import { scenariosOf, type Criterion } from './criterion';
import { needsWorker } from './rig';
import type { Finding, FindingKind } from './pitfalls';
import { Score, scoreTarget } from './scorecard';
import { staticFindings } from './static-check';

/** A finding in the learner's code, with the Part whose work it belongs to (when it belongs to one). */
export interface GradeFinding extends Finding {
  part?: string;
}

export interface GradedCriterion {
  id: string;
  part: string;
  title: string;
  pass: boolean;
  detail: string;
  hint: string;
  /** What went wrong, in plain words, when the grader can tell (with file:line and the finding's words). */
  explanation?: string;
  /** The same, in two pieces: what happened, and the finding in the code that causes it. */
  because?: { lead: string; finding?: Finding };
  /** A later Part this criterion cannot be checked without (it stopped at that Part's TODO). */
  needs?: string;
}

export interface GradeReport {
  lesson: string;
  lessonDir: string;
  /** The Part graded alone (`--part`), or undefined for the whole lesson. */
  part?: string;
  findings: GradeFinding[];
  criteria: GradedCriterion[];
  passed: number;
  total: number;
}

export interface GradeOptions {
  /** Grade only these criteria (the tests use it to run just what a variant breaks). */
  criteria?: string[];
}

/**
 * Which criteria a kind of finding explains; the first one in a lesson also gives the finding its Part
 * (the Part whose code has to change). Each lesson adds its criterion IDs here; an ID without a check
 * (say, a renamed criterion) does not compile.
 */
const EXPLAINS: Partial<Record<FindingKind, CriterionId[]>> = {
  'retry-loop': [
    '02-one-call-per-attempt',
    '02-retry-policy',
    '02-retries-capped',
    '02-happy-path',
    '03-one-call-per-attempt',
  ],
  'unlimited-retries': [
    '02-retries-capped',
    '03-retry-policies',
    '06-child-level-retries',
    '07-inventory-fails-after-payment',
  ],
  'late-query-handler': ['03-status-shows-branches', '06-status-queries', '07-status-during-fan-out'],
  'swallowed-error': ['03-one-call-per-attempt', '03-happy-path'],
  'unguarded-join': ['03-no-stuck-reservation', '03-waits-for-running-branch', '07-declined-while-reserving'],
  'missing-await': [
    '02-activities-in-order',
    '02-happy-path',
    '06-children-in-order',
    '06-happy-path',
    '06-compensate-half-done-steps',
    '07-shipping-waits-for-both',
    '07-happy-path',
    '03-steps-in-order',
    '03-happy-path',
  ],
};

/** Does a finding of this kind explain why `criterion` fails? */
function explainedBy(kind: FindingKind, criterion: string): boolean {
  return (EXPLAINS[kind] ?? []).some((id) => id === criterion);
}

function partOf(lesson: string, finding: Finding): string | undefined {
  return criteriaFor(lesson).find((c) => explainedBy(finding.kind, c.id))?.part;
}

function at(f: Finding): string {
  return `${f.file}:${f.line}`;
}

type Because = { lead: string; finding?: Finding; needs?: string };

function stepCounts(score: Score): [string, number] | undefined {
  const byStep = new Map<string, number>();
  for (const c of score.observation?.calls ?? []) byStep.set(c.step, (byStep.get(c.step) ?? 0) + 1);
  return [...byStep.entries()].sort((a, b) => b[1] - a[1])[0];
}

function explain(score: Score, findings: Finding[]): Because | undefined {
  const outcome = score.observation?.outcome;
  const id = score.criterion.id;
  const first = (kind: FindingKind) => findings.find((f) => f.kind === kind);
  const explains = (kind: FindingKind) => explainedBy(kind, id);
  if (/could not run/.test(score.detail)) {
    const cause =
      first('disallowed-import') ?? findings.find((f) => f.kind === 'compile' && /\/workflows\//.test(f.file));
    if (cause) return { lead: 'The workflow bundle could not be built', finding: cause };
    return {
      lead: `The worker could not start: ${score.detail.replace(/^the scenario could not run: /, '').split('\n')[0]}`,
    };
  }
  if (outcome?.kind === 'stuck') {
    if (outcome.nondeterminism) {
      return {
        lead: `Nondeterminism in ${outcome.workflowId}: on replay the workflow code made different calls than its history records (${outcome.message.split('\n')[0]}). Workflow code must make the same calls in the same order every time it runs: no branching on time, randomness or outside state; restart running workflows after changing their code.`,
      };
    }
    const plain = first('plain-error');
    if (plain)
      return { lead: `A workflow task keeps failing in ${outcome.workflowId} ("${outcome.message}")`, finding: plain };
    return {
      lead: `A workflow task keeps failing in ${outcome.workflowId}: "${outcome.message}". Temporal retries failing workflow tasks forever; a bug in workflow code shows up like this (see the Web UI's WorkflowTaskFailed event).`,
    };
  }
  if (outcome?.kind === 'retrying-forever') {
    const lead = `${outcome.activity} failed ${outcome.attempt - 1} time(s) and Temporal would retry it forever, so the grader stopped the order`;
    const unlimited = first('unlimited-retries');
    return unlimited ? { lead, finding: unlimited } : { lead: `${lead}: give its retry policy a maximumAttempts` };
  }
  const unlimited = first('unlimited-retries');
  const busiest = stepCounts(score);
  if (outcome?.kind === 'timeout') {
    if (unlimited) return { lead: outcome.message, finding: unlimited };
    if (busiest && busiest[1] > 4) {
      return {
        lead: `${outcome.message}: the ${busiest[0]} step was tried ${busiest[1]} times and kept failing. Without maximumAttempts an activity is retried forever; set a limit so the failure reaches ${score.criterion.lesson === '02' ? 'the workflow and the order fails instead of hanging' : 'the parent and it can compensate'}.`,
      };
    }
    return {
      lead: `${outcome.message}. Look for a step that waits forever (an activity with unlimited retries, a child that never completes).`,
    };
  }
  // An activity retried without a limit can also end as a failure: the server cuts its last attempt
  // off at the workflow's execution timeout, and the workflow reports that as its own failure.
  if (outcome?.kind === 'failed' && unlimited && busiest && busiest[1] > 4) {
    return {
      lead: `The ${busiest[0]} step was tried ${busiest[1]} times before the order gave up`,
      finding: unlimited,
    };
  }
  const todo =
    outcome?.kind === 'failed'
      ? /TODO Part [A-Z]/.test(outcome.message)
        ? outcome.message.replace(/^order \S+ failed at \w+: /, '').split(';')[0]
        : outcome.root && /TODO Part [A-Z]/.test(outcome.root)
          ? outcome.root
          : undefined
      : undefined;
  if (todo) {
    // A criterion of a later Part cannot run before the earlier Part it builds on is written.
    const needed = /TODO Part ([A-Z])/.exec(todo)![1];
    return needed === score.criterion.part
      ? { lead: `Still a TODO: ${todo}` }
      : { lead: `Needs Part ${needed} first: ${todo}`, needs: needed };
  }
  const loop = first('retry-loop');
  if (loop && explains('retry-loop')) {
    return id === '02-one-call-per-attempt'
      ? { lead: 'The retry loop', finding: loop }
      : { lead: 'A retry loop inside an activity multiplies the attempts Temporal makes (Part A)', finding: loop };
  }
  const swallowed = first('swallowed-error');
  if (swallowed && explains('swallowed-error')) return { lead: 'An error is caught and dropped', finding: swallowed };
  const join = first('unguarded-join');
  if (join && explains('unguarded-join')) {
    return { lead: 'The join stops waiting for the branches still running', finding: join };
  }
  const late = first('late-query-handler');
  if (late && explains('late-query-handler') && /while the order was still validating/.test(score.detail)) {
    return { lead: 'The parent cannot answer while it validates', finding: late };
  }
  const missing = first('missing-await');
  if (missing && explains('missing-await')) return { lead: 'A step is not awaited', finding: missing };
  if (outcome?.kind === 'failed' && outcome.message) {
    return {
      lead: `The order failed: ${outcome.message.split('\n')[0]}${outcome.root ? ` (root cause: ${outcome.root.split('\n')[0]})` : ''}`,
    };
  }
  return undefined;
}

function sentence(because: Because): string {
  return because.finding ? `${because.lead}: ${at(because.finding)} ${because.finding.message}` : because.lead;
}

function selected(lesson: string, part: string | undefined, options: GradeOptions): Criterion[] {
  return criteriaFor(lesson, part).filter((c) => !options.criteria || options.criteria.includes(c.id));
}

/**
 * Starts the slow, independent preparations of a grading run (the static check in its thread, the
 * workflow bundle) without waiting for them: call it before starting the server so they overlap.
 * gradeLesson picks up the same work (both are cached by content).
 */
export function prepareGrading(lesson: string, lessonDir: string, part?: string, options: GradeOptions = {}): void {
  staticFindings(lessonDir, REPO_ROOT).catch(() => undefined);
  const target = { kind: 'temporal', name: 'grade', lessonDir, lesson: lesson as LessonId } as const;
  if (selected(lesson, part, options).some((c) => scenariosOf(c).some((s) => needsWorker(target, s)))) {
    lessonBundle(lessonDir, REPO_ROOT).catch(() => undefined);
  }
}

/** Grades the lesson code in `lessonDir` (needs the test server: common/kit/server.ts). */
export async function gradeLesson(
  lesson: string,
  lessonDir: string,
  part?: string,
  options: GradeOptions = {},
): Promise<GradeReport> {
  const staticCheck = staticFindings(lessonDir, REPO_ROOT);
  staticCheck.catch(() => undefined);
  const scores = await scoreTarget(
    { kind: 'temporal', name: 'grade', lessonDir, lesson: lesson as LessonId },
    selected(lesson, part, options),
  );
  const findings: GradeFinding[] = (await staticCheck).map((f) => {
    const owner = partOf(lesson, f);
    return owner ? { ...f, part: owner } : f;
  });
  const criteria = scores.map((score): GradedCriterion => {
    const because = score.pass ? undefined : explain(score, findings);
    return {
      id: score.criterion.id,
      part: score.criterion.part,
      title: score.criterion.title,
      pass: score.pass,
      detail: score.detail,
      hint: score.criterion.hint,
      ...(because ? { explanation: sentence(because), because: { lead: because.lead, finding: because.finding } } : {}),
      ...(because?.needs && because.needs > score.criterion.part ? { needs: because.needs } : {}),
    };
  });
  return {
    lesson,
    lessonDir,
    ...(part ? { part } : {}),
    findings,
    criteria,
    passed: criteria.filter((c) => c.pass).length,
    total: criteria.length,
  };
}

export function partTitle(lesson: string, part: string): string {
  return isLessonId(lesson) ? (LESSONS[lesson].parts[part]?.title ?? '') : '';
}

/**
 * Where the learner works next: the first Part (in the lesson's order) with a failing criterion, passing
 * over a Part whose failures only wait for a later Part (its work may be done: it cannot be checked yet).
 */
export function firstFailingPart(report: GradeReport): string | undefined {
  const failing = report.criteria.filter((c) => !c.pass);
  return (failing.find((c) => !c.needs) ?? failing[0])?.part;
}
