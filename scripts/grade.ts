/**
 * `npm run grade`: checks your exercise against the lesson's success criteria on a real Temporal dev
 * server, and leads you one Part at a time: progress first, the details (what was seen, why, a hint)
 * only for the first Part that still fails, one line for every other Part, and any problem spotted
 * in your code explained once at the top with file:line. Exit code 0 only when every criterion passes.
 *
 *   npm run grade -- --lesson 02            the whole lesson
 *   npm run grade -- --part C               only Part C's criteria
 *   npm run grade -- --watch                grade again on every save (Ctrl-C stops)
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  firstFailingPart,
  gradeLesson,
  GradeReport,
  GradedCriterion,
  partTitle,
  prepareGrading,
} from '../tests/criteria/grade';
import { stopBundler } from '../tests/criteria/bundle';
import { stopStaticChecks } from '../tests/criteria/static-check';
import { trace, traced } from '../tests/criteria/trace';
import { DevServerStartError } from '../common/kit/dev-server';
import { startTestServer, stopTestServer, testServerRunning } from '../common/kit/server';
import { REPO_ROOT } from '../services';
import { KitError } from '../services/errors';
import { runMain } from '../common/cli';
import { commandArgs, UsageError } from './lib/args';
import {
  DEFAULT_LESSON,
  LESSON_IDS,
  LESSONS,
  partAnchor,
  TARGETS,
  type LessonId,
  type TargetName,
} from '../common/lessons';

const FLAGS = {
  lesson: { type: 'string', choices: LESSON_IDS, description: `lesson (default ${DEFAULT_LESSON})` },
  target: { type: 'string', choices: TARGETS, description: 'whose code: exercises (default, yours) or solution' },
  part: { type: 'string', description: 'only the criteria of one Part (A, B, …)' },
  watch: { type: 'boolean', description: 'grade again every time you save a file (Ctrl-C stops)' },
  dir: { type: 'string', description: 'grade the lesson code in this directory instead' },
} as const;

const SUMMARY = 'Grades a lesson against its success criteria on a real Temporal dev server.';

const PROGRESS_FILE = path.join(REPO_ROOT, '.grade', 'progress.json');
/** Lines are wrapped to this width (plus indentation), so none is much over 120 characters. */
const WIDTH = 110;

function rememberProgress(report: GradeReport, key: string): string | undefined {
  let all: Record<string, { passed: number; total: number }> = {};
  try {
    all = JSON.parse(fs.readFileSync(PROGRESS_FILE, 'utf8'));
  } catch {
    // first run
  }
  const before = all[key];
  all[key] = { passed: report.passed, total: report.total };
  fs.mkdirSync(path.dirname(PROGRESS_FILE), { recursive: true });
  fs.writeFileSync(PROGRESS_FILE, JSON.stringify(all, null, 2));
  return before ? `${before.passed}/${before.total}` : undefined;
}

/**
 * `text` in lines of at most WIDTH characters after `first` (then `rest`) as indentation; at most
 * `maxLines` lines, the last one ending in … when something was cut.
 */
export function wrap(text: string, first: string, rest: string, maxLines = 3): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = '';
  for (let word of words) {
    if (word.length > WIDTH) word = `${word.slice(0, WIDTH - 1)}…`;
    if (line && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  if (lines.length > maxLines) {
    lines.length = maxLines;
    const last = lines[maxLines - 1];
    lines[maxLines - 1] = `${last.length > WIDTH - 2 ? last.slice(0, WIDTH - 2) : last} …`;
  }
  return lines.map((l, i) => `${i === 0 ? first : rest}${l}`);
}

function relative(file: string): string {
  const rel = path.relative(REPO_ROOT, file);
  return rel.startsWith('..') ? file : rel;
}

function partLine(report: GradeReport, part: string, criteria: GradedCriterion[]): string {
  const passed = criteria.filter((c) => c.pass).length;
  const mark = passed === criteria.length ? '✓' : '✗';
  const failing = criteria.filter((c) => !c.pass);
  const waits = failing.length && failing.every((c) => c.needs) ? failing[0].needs : undefined;
  const note = waits ? `  (checked once Part ${waits} runs)` : '';
  return `${mark} Part ${part}  ${passed}/${criteria.length}  ${partTitle(report.lesson, part)}${note}`;
}

function criterionDetails(report: GradeReport, c: GradedCriterion): string[] {
  const lines = wrap(c.title, '    ✗ ', '      ', 2);
  lines.push(...wrap(c.detail, '        seen: ', '              ', 2));
  if (c.because) {
    const f = c.because.finding;
    // The finding itself is explained once, at the top; here it is only pointed at.
    const where = f ? `${path.relative(relative(report.lessonDir), f.file) || f.file}:${f.line}` : '';
    lines.push(
      ...wrap(f ? `${c.because.lead}: ${where}, see above` : c.because.lead, '        why:  ', '              ', 3),
    );
  }
  lines.push(...wrap(c.hint, '        hint: ', '              ', 3));
  return lines;
}

export interface FormatOptions {
  /** The result of the previous run of the same lesson and scope, e.g. `3/11`. */
  previous?: string;
  gradedSeconds?: number;
}

/** The report as the learner reads it: progress, problems in the code, the Part to work on, the rest. */
export function formatReport(report: GradeReport, options: FormatOptions = {}): string {
  const lines: string[] = [];
  const lesson = isLessonKey(report.lesson) ? LESSONS[report.lesson] : undefined;
  const next = firstFailingPart(report);
  const since =
    options.previous && options.previous !== `${report.passed}/${report.total}`
      ? ` (last run: ${options.previous})`
      : '';
  if (report.part) {
    lines.push(
      `Part ${report.part}: ${report.passed}/${report.total}${since} · graded Part ${report.part} only; run without --part for the full scorecard`,
    );
  } else {
    const lead = `Lesson ${report.lesson}: ${report.passed}/${report.total} criteria${since}`;
    lines.push(next ? `${lead} · next: Part ${next} (${partTitle(report.lesson, next)})` : `${lead} · all pass`);
  }

  if (report.findings.length) {
    lines.push('', 'Problems in your code (fix these first):');
    const compile = report.findings.filter((f) => f.kind === 'compile');
    const shown = [...compile.slice(0, 3), ...report.findings.filter((f) => f.kind !== 'compile')];
    for (const f of shown) {
      const owner = f.part ? ` (Part ${f.part})` : '';
      lines.push(...wrap(`${f.file}:${f.line}${owner} ${f.message}`, '  ', '      ', 3));
    }
    if (compile.length > 3)
      lines.push(`  … and ${compile.length - 3} more type errors (npm run typecheck lists them all)`);
  }

  const parts = [...new Set(report.criteria.map((c) => c.part))];
  lines.push('');
  for (const part of parts) {
    const criteria = report.criteria.filter((c) => c.part === part);
    lines.push(`${partLine(report, part, criteria)}`);
    if (part !== next) continue;
    // Criteria stopped by the same TODO share one explanation: the first says what, why and how.
    const todosShown = new Set<string>();
    for (const c of criteria) {
      if (c.pass) {
        lines.push(...wrap(c.title, '    ✓ ', '      ', 1));
      } else if (c.because && !c.because.finding && c.because.lead.startsWith('Still a TODO')) {
        if (todosShown.has(c.because.lead)) {
          lines.push(...wrap(c.title, '    ✗ ', '      ', 2), '        why:  the same TODO as above');
        } else {
          todosShown.add(c.because.lead);
          lines.push(...criterionDetails(report, c));
        }
      } else {
        lines.push(...criterionDetails(report, c));
      }
    }
  }

  lines.push('');
  const rel = relative(report.lessonDir);
  if (next && lesson) {
    lines.push(
      `Next: Part ${next} in ${lesson.doc}#${partAnchor(next, partTitle(report.lesson, next))}, then grade again.`,
    );
  } else if (report.part) {
    lines.push(`Part ${report.part} passes.`);
  } else if (rel.startsWith('exercises')) {
    lines.push(
      `Every criterion passes. Compare with the reference: diff -r ${rel} ${rel.replace(/^exercises/, 'solution')}`,
    );
  } else {
    lines.push('Every criterion passes.');
  }
  if (options.gradedSeconds !== undefined) lines.push(`(graded in ${options.gradedSeconds.toFixed(1)} s)`);
  return lines.join('\n');
}

function isLessonKey(value: string): value is LessonId {
  return (LESSON_IDS as string[]).includes(value);
}

/** Set by the first Ctrl-C: from then on nothing more is graded or printed. */
let stopping = false;

async function gradeOnce(lesson: LessonId, dir: string, part: string | undefined, started: number): Promise<boolean> {
  const report = await gradeLesson(lesson, dir, part);
  if (stopping) return false; // abandoned: the server went away under it
  const previous = rememberProgress(report, `${lesson}:${relative(dir)}${part ? `:${part}` : ''}`);
  console.log(formatReport(report, { previous, gradedSeconds: (Date.now() - started) / 1000 }));
  return report.passed === report.total;
}

/** Starts the private server; when it cannot start, one line that names its log file. */
async function startServer(): Promise<void> {
  try {
    await traced('server', startTestServer());
  } catch (err) {
    if (err instanceof DevServerStartError) {
      throw new KitError(`${err.headline}; its log: ${err.logFile}`, { cause: err });
    }
    if (err instanceof KitError) throw err;
    // Anything else (the SDK's first calls to the new server) is shown as before: its first clause, no stack.
    const message = err instanceof Error ? err.message : String(err);
    throw new KitError(message.split(';')[0], { cause: err });
  }
}

/** Closes the file watcher and its pending timer (set while watching). */
let closeWatcher = () => undefined as void;

/** Grades again after every save; a save during a run queues one more run. Runs until Ctrl-C. */
function watch(lesson: LessonId, dir: string, part: string | undefined): void {
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  const forgetModules = () => {
    for (const key of Object.keys(require.cache)) if (key.startsWith(dir + path.sep)) delete require.cache[key];
  };
  const run = () => {
    if (stopping) return;
    if (running) {
      again = true; // graded right after the run in progress: a save is never dropped
      return;
    }
    running = (async () => {
      do {
        again = false;
        console.log('\n--- change detected, grading again ---');
        const started = Date.now();
        try {
          // Never against a stopped server: start it again if it went away.
          if (!testServerRunning()) await startServer();
          forgetModules();
          await gradeOnce(lesson, dir, part, started);
        } catch (err) {
          if (!stopping) console.log(`error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
        }
      } while (again && !stopping);
    })().finally(() => {
      running = undefined;
    });
  };

  const watcher = fs.watch(dir, { recursive: true }, (_event, file) => {
    if (stopping || (file && !/\.(ts|json)$/.test(String(file)))) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, 300);
  });
  closeWatcher = () => {
    watcher.close();
    if (timer) clearTimeout(timer);
  };
  console.log(`\nWatching ${relative(dir)}: save a file to grade again (Ctrl-C stops).`);
}

/**
 * The first Ctrl-C (or SIGTERM) stops everything at once, whatever is in progress: no more runs, no
 * watcher, the helper processes and the server stopped. Work in progress is abandoned; what it would
 * print as its server goes away is not shown. A second Ctrl-C exits without waiting for the cleanup.
 */
function stopOnInterrupt(exitCode: () => number): void {
  const stop = () => void cleanUp();
  const cleanUp = async () => {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
    process.once('SIGINT', () => process.exit(130));
    stopping = true;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    process.on('uncaughtException', () => undefined);
    process.on('unhandledRejection', () => undefined);
    console.log('\nStopping.');
    closeWatcher();
    stopStaticChecks();
    stopBundler();
    await stopTestServer().catch(() => undefined);
    process.exit(exitCode());
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(): Promise<number> {
  const started = Date.now();
  trace('main');
  const args = commandArgs('npm run grade --', SUMMARY, FLAGS);
  if (!args) return 0;
  const lesson = (args.lesson ?? DEFAULT_LESSON) as LessonId;
  const part = args.part?.toUpperCase();
  const parts = Object.keys(LESSONS[lesson].parts);
  if (part && !parts.includes(part)) {
    throw new UsageError(`lesson ${lesson} has Parts ${parts.join(', ')} (got --part ${args.part})`);
  }
  const dir = args.dir
    ? path.resolve(args.dir)
    : path.join(REPO_ROOT, (args.target ?? 'exercises') as TargetName, LESSONS[lesson].folder);
  if (!fs.existsSync(path.join(dir, 'workflows'))) {
    throw new UsageError(`${dir} is not a lesson folder (it has no workflows/ folder)`);
  }
  console.log(`Grading ${relative(dir)} (lesson ${lesson}) on a private Temporal dev server…`);
  // Watching ends with Ctrl-C, which is how you stop it: exit code 0. A single run stopped early: 130.
  stopOnInterrupt(() => (args.watch ? 0 : 130));
  // The static check and the bundle start now, in helper processes, while the server starts.
  prepareGrading(lesson, dir, part);
  const shutdown = async () => {
    stopStaticChecks();
    stopBundler();
    await stopTestServer();
  };
  let ok: boolean;
  try {
    await startServer();
    ok = await gradeOnce(lesson, dir, part, started);
  } catch (err) {
    await shutdown();
    throw err;
  }
  if (!args.watch) {
    await shutdown();
    return ok ? 0 : 1;
  }
  watch(lesson, dir, part);
  return new Promise<number>(() => undefined); // until Ctrl-C
}

if (require.main === module) runMain(main);
