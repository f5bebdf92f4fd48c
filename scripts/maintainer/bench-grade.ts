/**
 * How fast does `npm run grade` answer? Runs the grader CLI as a learner would, once per case, and prints
 * the time it reports ("graded in …", from the moment it starts working until the verdict) and the wall
 * time of the whole command (process start, module loading, server start and stop included).
 *
 *   npx ts-node scripts/maintainer/bench-grade.ts                     # lessons 02 and 06: starter and finished, cold and warm
 *   npx ts-node scripts/maintainer/bench-grade.ts --lesson 06 --runs 3
 *   npx ts-node scripts/maintainer/bench-grade.ts --root /path/to/an/older/checkout   # the same cases against another tree
 *
 * Cases per lesson: the untouched starter (exercises/<lesson>) and the proof swap (the solution copied over
 * a copy of the exercises, where every criterion passes). "cold" removes the grader's caches (.grade/cache)
 * first, as after an edit to every file; "warm" runs again with them, as after a save that changed nothing
 * the grader depends on. A measurement, not a test: nothing here fails when the numbers are slow.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LESSON_IDS, LESSONS, type LessonId } from '../../common/lessons';
import { REPO_ROOT } from '../../services';
import { runMain } from '../../common/cli';
import { commandArgs } from '../lib/args';
import { timedRun, type TimedRun } from './timed-run';

const FLAGS = {
  lesson: { type: 'string', choices: LESSON_IDS, description: 'only this lesson (default: 02 and 06)' },
  runs: { type: 'int', min: 1, max: 10, description: 'warm runs per case (default 1)' },
  root: { type: 'string', description: 'the checkout to measure (default: this one)' },
  json: { type: 'boolean', description: 'print the measurements as JSON' },
} as const;

const SUMMARY = 'Measures how long `npm run grade` takes.';

interface Measurement {
  lesson: LessonId;
  case: 'starter' | 'finished';
  cache: 'cold' | 'warm';
  gradedS?: number;
  wallS: number;
  verdict: string;
  exitCode: number | null;
  error?: string;
}

function run(root: string, args: string[]): Promise<TimedRun> {
  return timedRun(process.execPath, [path.join(root, 'node_modules', '.bin', 'ts-node'), 'scripts/grade.ts', ...args], {
    cwd: root,
    env: { ...process.env, FORCE_COLOR: '0' },
  });
}

/** A copy of the lesson's exercises with the solution on top, at the same depth as exercises/<lesson>. */
function proofSwap(root: string, lesson: LessonId): string {
  const folder = LESSONS[lesson].folder;
  const dir = path.join(root, '.variant-bench-proof', folder);
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  fs.cpSync(path.join(root, 'exercises', folder), dir, { recursive: true });
  fs.cpSync(path.join(root, 'solution', folder), dir, { recursive: true });
  return dir;
}

async function measure(root: string, lesson: LessonId, which: Measurement['case'], cache: Measurement['cache']) {
  if (cache === 'cold') fs.rmSync(path.join(root, '.grade', 'cache'), { recursive: true, force: true });
  const args = ['--lesson', lesson];
  if (which === 'finished') args.push('--dir', proofSwap(root, lesson));
  const { out, wallS, code } = await run(root, args);
  const graded = /graded in ([\d.]+) s/.exec(out);
  const verdict = /(\d+)\/(\d+) criteria/.exec(out);
  if (!graded || !verdict) throw new Error(`the grader printed no verdict (exit code ${code}):\n${out}`);
  return {
    lesson,
    case: which,
    cache,
    gradedS: Number(graded[1]),
    wallS: Math.round(wallS * 10) / 10,
    verdict: `${verdict[1]}/${verdict[2]}`,
    exitCode: code,
  } satisfies Measurement;
}

async function main(): Promise<number> {
  const args = commandArgs('npx ts-node scripts/maintainer/bench-grade.ts', SUMMARY, FLAGS);
  if (!args) return 0;
  const root = path.resolve(args.root ?? REPO_ROOT);
  const lessons: LessonId[] = args.lesson ? [args.lesson as LessonId] : ['02', '06'];
  const runs = args.runs ?? 1;
  const results: Measurement[] = [];
  if (!args.json) {
    console.log(`Grader timings on ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} (${root})`);
    console.log('lesson  case      cache  graded   wall     verdict');
  }
  try {
    for (const lesson of lessons) {
      for (const which of ['starter', 'finished'] as const) {
        const plan: Measurement['cache'][] = ['cold', ...Array.from({ length: runs }, () => 'warm' as const)];
        for (const cache of plan) {
          let m: Measurement;
          try {
            m = await measure(root, lesson, which, cache);
          } catch (err) {
            // One failed run (say, a server that did not start on a busy machine) does not end the bench.
            const message = err instanceof Error ? err.message.split('\n').slice(0, 3).join(' ') : String(err);
            if (!args.json) console.log(`${lesson.padEnd(8)}${which.padEnd(10)}${cache.padEnd(7)}failed: ${message}`);
            results.push({ lesson, case: which, cache, wallS: 0, verdict: 'failed', exitCode: null, error: message });
            continue;
          }
          results.push(m);
          if (!args.json) {
            console.log(
              `${m.lesson.padEnd(8)}${m.case.padEnd(10)}${m.cache.padEnd(7)}${`${m.gradedS?.toFixed(1)} s`.padEnd(9)}` +
                `${`${m.wallS.toFixed(1)} s`.padEnd(9)}${m.verdict}`,
            );
          }
        }
      }
    }
  } finally {
    fs.rmSync(path.join(root, '.variant-bench-proof'), { recursive: true, force: true });
  }
  if (args.json) console.log(JSON.stringify({ cores: os.cpus().length, loadavg: os.loadavg()[0], results }, null, 2));
  return 0;
}

if (require.main === module) runMain(main);
