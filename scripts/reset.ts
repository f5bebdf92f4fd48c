/**
 * `npm run reset -- --lesson 06 [--part C]`: puts your exercise back to the starter (as the kit ships it,
 * kept in exercises/starter.json, whatever you have committed since): every file, or only the TODO regions of one Part, leaving the rest of your
 * work alone. Your files are copied to .grade/backup/<time>/ first, and the command says where.
 */
import path from 'node:path';
import { DEFAULT_LESSON, LESSON_IDS, LESSONS, type LessonId } from '../common/lessons';
import { REPO_ROOT } from '../services';
import { applyReset, planReset } from '../common/kit/reset/reset-plan';
import { ResetError } from '../common/kit/reset/restore';
import { starterOf } from '../common/kit/reset/starters';
import { runMain } from '../common/cli';
import { commandArgs, UsageError } from './lib/args';

const FLAGS = {
  lesson: { type: 'string', choices: LESSON_IDS, description: `lesson (default ${DEFAULT_LESSON})` },
  part: { type: 'string', description: 'restore only this Part’s TODO regions (A, B, …)' },
} as const;

const SUMMARY = 'Restores exercises/<lesson> (or one Part of it) to the starter, after backing up your files.';

async function main(): Promise<number> {
  const args = commandArgs('npm run reset --', SUMMARY, FLAGS);
  if (!args) return 0;
  const lesson = (args.lesson ?? DEFAULT_LESSON) as LessonId;
  const spec = LESSONS[lesson];
  const part = args.part?.toUpperCase();
  if (part && !(part in spec.parts)) {
    throw new UsageError(`lesson ${lesson} has Parts ${Object.keys(spec.parts).join(', ')} (got --part ${args.part})`);
  }
  const dir = path.join(REPO_ROOT, 'exercises', spec.folder);
  const rel = path.relative(REPO_ROOT, dir);
  try {
    const plan = planReset(dir, starterOf(REPO_ROOT, spec.folder), part);
    const saved = path.relative(REPO_ROOT, applyReset(dir, REPO_ROOT, plan));
    console.log(`Restored ${part ? `Part ${part} of ` : ''}${rel} to the starter:`);
    for (const line of plan.summary) console.log(`  ${line}`);
    for (const note of plan.notes) console.log(`Note: ${note}`);
    console.log(`Your files before the reset: ${saved}/`);
    console.log(`  (to undo: cp -r ${saved}/. ${rel}/)`);
    return 0;
  } catch (err) {
    if (err instanceof ResetError) {
      console.error(`reset ${rel}${part ? ` --part ${part}` : ''}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

if (require.main === module) runMain(main);
