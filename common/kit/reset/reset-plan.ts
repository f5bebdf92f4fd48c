/**
 * `npm run reset` (scripts/reset.ts): puts a lesson's exercise files back to the starter (./starters.ts),
 * whole files or only one Part's TODO regions (./restore.ts), after copying the learner's files to a
 * backup.
 */
import fs from 'node:fs';
import path from 'node:path';
import { blocksOf, nestedParts, ResetError, restoreRegions } from './restore';
import type { Starter } from './starters';

export interface ResetPlan {
  /** Files to write: relative path → new text. */
  writes: Map<string, string>;
  /** What the learner reads: one line per restored file. */
  summary: string[];
  /** Things worth knowing that were not done. */
  notes: string[];
}

/** Every file under `dir`, as paths relative to it. */
function listFiles(dir: string): string[] {
  const walk = (at: string): string[] =>
    fs
      .readdirSync(at, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(at, e.name)) : [path.join(at, e.name)]));
  return fs.existsSync(dir)
    ? walk(dir)
        .map((f) => path.relative(dir, f).split(path.sep).join('/'))
        .sort()
    : [];
}

/** What a reset of `lessonDir` (the whole lesson, or Part `part`) would write; throws ResetError when nothing. */
export function planReset(lessonDir: string, starter: Starter, part?: string): ResetPlan {
  const writes = new Map<string, string>();
  const summary: string[] = [];
  const notes: string[] = [];
  const current = (rel: string) => {
    try {
      return fs.readFileSync(path.join(lessonDir, rel), 'utf8');
    } catch {
      return undefined;
    }
  };
  if (!part) {
    for (const [rel, text] of starter) {
      const now = current(rel);
      if (now === text) continue;
      writes.set(rel, text);
      summary.push(`${rel}${now === undefined ? ' (was missing)' : ''}`);
    }
    const extra = listFiles(lessonDir).filter((rel) => !starter.has(rel));
    if (extra.length) notes.push(`kept ${extra.join(', ')}: not in the starter (a copy is in the backup too)`);
    if (!writes.size) throw new ResetError('nothing to restore: every file is the starter’s already');
    return { writes, summary, notes };
  }
  const problems: string[] = [];
  let regionsSeen = 0;
  for (const [rel, text] of starter) {
    if (!rel.endsWith('.ts')) continue;
    const blocks = blocksOf(text);
    for (const other of blocks) {
      if (other.part && other.part !== part && nestedParts(other).includes(part)) {
        const owner: string = other.part;
        notes.push(
          `${rel}: Part ${part}'s notes inside Part ${owner}'s region were left alone (npm run reset -- --part ${owner} restores them)`,
        );
      }
    }
    if (!blocks.some((b) => b.part === part)) continue;
    regionsSeen++;
    const now = current(rel);
    if (now === undefined) {
      writes.set(rel, text);
      summary.push(`${rel} (was missing: restored whole)`);
      continue;
    }
    const result = restoreRegions(rel, text, now, part);
    if ('problem' in result) problems.push(`${rel}: ${result.problem}`);
    else if ('text' in result) {
      writes.set(rel, result.text);
      const spans = result.regions.map((r) =>
        r.from >= r.to ? `line ${Math.min(r.from, r.to + 1)}` : `lines ${r.from}-${r.to}`,
      );
      summary.push(
        `${rel}: ${result.regions.length} region${result.regions.length > 1 ? 's' : ''} (your ${spans.join(', ')})`,
      );
    }
  }
  if (!regionsSeen) throw new ResetError(`the starter has no TODO Part ${part} regions`);
  if (problems.length) {
    throw new ResetError(
      `cannot find Part ${part}'s regions in ${problems.length === 1 ? 'this file' : 'these files'}, so nothing was changed:\n  ${problems.join('\n  ')}\n` +
        `Restore the whole lesson without --part instead (your files are backed up first).`,
    );
  }
  if (!writes.size) throw new ResetError(`nothing to restore: Part ${part}'s regions are the starter's already`);
  return { writes, summary, notes };
}

/** Copies every file of `lessonDir` to `<root>/.grade/backup/<timestamp>/<lessonDir relative to root>`. */
export function backup(lessonDir: string, root: string, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z');
  let dir = path.join(root, '.grade', 'backup', stamp, path.relative(root, lessonDir));
  for (let n = 2; fs.existsSync(dir); n++) {
    dir = path.join(root, '.grade', 'backup', `${stamp}-${n}`, path.relative(root, lessonDir));
  }
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.cpSync(lessonDir, dir, { recursive: true });
  return dir;
}

/** Backs up, then writes the plan. Returns the backup folder. */
export function applyReset(lessonDir: string, root: string, plan: ResetPlan, now?: Date): string {
  const saved = backup(lessonDir, root, now);
  for (const [rel, text] of plan.writes) {
    const file = path.join(lessonDir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  return saved;
}
