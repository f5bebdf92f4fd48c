/**
 * `npm run grade`: checks your exercise against the lesson's success criteria on a real Temporal dev
 * server and prints a scorecard by Part, with a hint for every ✗ and, where it can tell, what went
 * wrong and where. Exit code 0 only when every criterion passes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gradeLesson, GradeReport, partTitle } from '../tests/criteria/grade';
import { forgetBundles } from '../tests/support/harness';
import { startTestServer, stopTestServer } from '../tests/support/server';
import { REPO_ROOT } from '../services';
import { parseArgs, runMain, usage } from './lib/args';
import { LESSON_IDS, LESSONS, TARGETS, type LessonId, type TargetName } from '../common/lessons';

const FLAGS = {
  lesson: { type: 'string', choices: LESSON_IDS, description: 'lesson (default 06)' },
  target: { type: 'string', choices: TARGETS, description: 'whose code: exercises (default, yours) or solution' },
  part: { type: 'string', choices: ['A', 'B', 'C', 'D', 'E'], description: 'only the criteria of one Part' },
  watch: { type: 'boolean', description: 'grade again every time you save a file' },
  dir: { type: 'string', description: 'grade the lesson code in this directory instead' },
} as const;

const PROGRESS_FILE = path.join(REPO_ROOT, '.grade', 'progress.json');

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

export function formatReport(report: GradeReport, previous?: string): string {
  const lines: string[] = [];
  const rel = path.relative(REPO_ROOT, report.lessonDir);
  lines.push(`Lesson ${report.lesson}: grading ${rel}`);
  const compile = report.findings.filter((f) => f.kind === 'compile');
  if (compile.length) {
    lines.push('', 'Type errors (the code still runs, but fix these first):');
    for (const f of compile) lines.push(`  ${f.file}:${f.line} ${f.message}`);
  }
  const pitfalls = report.findings.filter((f) => f.kind !== 'compile');
  if (pitfalls.length) {
    lines.push('', 'Problems spotted in your workflow code:');
    for (const f of pitfalls) lines.push(`  ${f.file}:${f.line} ${f.message}`);
  }
  const parts = [...new Set(report.criteria.map((c) => c.part))].sort();
  for (const part of parts) {
    lines.push('', `Part ${part}: ${partTitle(report.lesson, part)}`);
    for (const c of report.criteria.filter((x) => x.part === part)) {
      lines.push(`  ${c.pass ? '✓' : '✗'} ${c.title}`);
      if (!c.pass) {
        lines.push(`      seen: ${c.detail}`);
        if (c.explanation) lines.push(`      why:  ${c.explanation}`);
        lines.push(`      hint: ${c.hint}`);
      }
    }
  }
  lines.push('', `Progress: ${report.passed}/${report.total} criteria${previous ? ` (last run: ${previous})` : ''}`);
  if (report.passed === report.total) {
    lines.push('All criteria pass.');
    if (rel.startsWith('exercises'))
      lines.push(`Compare your code with the reference: diff -r ${rel} ${rel.replace(/^exercises/, 'solution')}`);
  }
  return lines.join('\n');
}

async function gradeOnce(lesson: LessonId, dir: string, part: string | undefined): Promise<boolean> {
  const started = Date.now();
  const report = await gradeLesson(lesson, dir, part);
  const previous = rememberProgress(report, `${lesson}:${path.relative(REPO_ROOT, dir)}${part ? `:${part}` : ''}`);
  console.log(formatReport(report, previous));
  console.log(`(graded in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return report.passed === report.total;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    console.log(
      usage('npm run grade --', 'Grades a lesson against its success criteria on a real Temporal dev server.', FLAGS),
    );
    return 0;
  }
  const lesson = (args.lesson ?? '06') as LessonId;
  const dir = args.dir
    ? path.resolve(args.dir)
    : path.join(REPO_ROOT, (args.target ?? 'exercises') as TargetName, LESSONS[lesson].folder);
  console.log('Starting a private Temporal dev server for grading…');
  await startTestServer();
  try {
    if (!args.watch) return (await gradeOnce(lesson, dir, args.part)) ? 0 : 1;
    await gradeOnce(lesson, dir, args.part);
    console.log(`\nWatching ${path.relative(REPO_ROOT, dir)}: save a file to grade again (Ctrl-C stops).`);
    let timer: NodeJS.Timeout | undefined;
    let running = false;
    await new Promise<void>((resolve) => {
      fs.watch(dir, { recursive: true }, () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          if (running) return;
          running = true;
          forgetBundles();
          for (const key of Object.keys(require.cache)) if (key.startsWith(dir)) delete require.cache[key];
          console.log('\n--- change detected, grading again ---');
          void gradeOnce(lesson, dir, args.part)
            .catch((err) => console.error(err))
            .finally(() => (running = false));
        }, 400);
      });
      process.once('SIGINT', () => resolve());
    });
    return 0;
  } finally {
    await stopTestServer();
  }
}

if (require.main === module) runMain(main);
