/**
 * Deliberately broken copies of a lesson, for proving that the grader names the right criterion.
 * A copy lives at `<repo>/.variant-<name>/<lesson>`, the same depth as solution/<lesson>, so the
 * lesson's relative imports (../../services) keep working.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { GradeReport } from './grade';
import { REPO_ROOT } from '../../services';

export function variant(lesson: string, name: string, mutate: (dir: string) => void): string {
  const root = path.join(REPO_ROOT, `.variant-${name}`);
  fs.rmSync(root, { recursive: true, force: true });
  const dir = path.join(root, lesson);
  fs.cpSync(path.join(REPO_ROOT, 'solution', lesson), dir, { recursive: true });
  mutate(dir);
  return dir;
}

/**
 * A copy of the lesson's exercises at variant depth. With `solutionOnTop`, every exercise file is then
 * overwritten by its solution: the proof swap, which must pass every criterion.
 */
export function exercisesCopy(lesson: string, name: string, solutionOnTop = false): string {
  const root = path.join(REPO_ROOT, `.variant-${name}`);
  fs.rmSync(root, { recursive: true, force: true });
  const dir = path.join(root, lesson);
  fs.cpSync(path.join(REPO_ROOT, 'exercises', lesson), dir, { recursive: true });
  if (solutionOnTop) fs.cpSync(path.join(REPO_ROOT, 'solution', lesson), dir, { recursive: true });
  return dir;
}

/** Replaces `from` with `to` in `file`; throws when nothing changed, so a stale mutation cannot pass silently. */
export function edit(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`mutation did not apply to ${file}: ${from}`);
  fs.writeFileSync(file, next);
}

export function criterion(report: GradeReport, id: string) {
  const found = report.criteria.find((c) => c.id === id);
  if (!found) throw new Error(`no criterion ${id} in the report`);
  return found;
}

/** Removes every `.variant-<prefix>…` directory. */
export function removeVariants(prefix = ''): void {
  for (const entry of fs.readdirSync(REPO_ROOT)) {
    if (entry.startsWith(`.variant-${prefix}`))
      fs.rmSync(path.join(REPO_ROOT, entry), { recursive: true, force: true });
  }
}
