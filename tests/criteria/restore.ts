/**
 * `npm run reset` (scripts/reset.ts): puts a lesson's exercise files back to the starter, whole files or
 * only one Part's TODO regions, after copying the learner's files to a backup.
 *
 * The starter is what the kit ships under exercises/<lesson> (kept in STARTERS_FILE). A Part's regions are found by the code
 * around them, not by the TODO markers (a learner usually deletes those): outside its TODO regions a
 * learner's file still has the starter's lines (./mirror.ts checks the same of the solution), so each
 * region is whatever lies between the starter lines before it and the starter lines after it.
 * Blank lines and import lines are skipped when matching, and lines are compared without indentation;
 * a region whose surroundings cannot be found is reported, never guessed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TODO_START } from './mirror';

/** A lesson's starter files: path relative to the lesson folder → text. */
export type Starter = Map<string, string>;

export class ResetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResetError';
  }
}

/**
 * Where the starters are kept: every file of every exercises/<lesson> as the kit ships it, so a reset
 * restores the true starter whether or not the learner has committed their work, and on a tree that is
 * not a git clone (a ZIP download). scripts/maintainer/record-starters.ts writes it; a unit test keeps it
 * equal to exercises/.
 */
export const STARTERS_FILE = 'exercises/starter.json';

type StarterSnapshot = Record<string, Record<string, string>>;

/** The starter of `exercises/<folder>`, from STARTERS_FILE. */
export function starterOf(root: string, folder: string): Starter {
  const file = path.join(root, STARTERS_FILE);
  let snapshot: StarterSnapshot;
  try {
    snapshot = JSON.parse(fs.readFileSync(file, 'utf8')) as StarterSnapshot;
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ResetError(`the starters are kept in ${STARTERS_FILE}, which cannot be read (${why})`);
  }
  const files = snapshot[folder];
  if (!files) throw new ResetError(`${STARTERS_FILE} has no starter for exercises/${folder}`);
  return new Map(Object.entries(files));
}

/** Every file of every `exercises/<folder>` as it is on disk now, for STARTERS_FILE. */
export function snapshotOf(root: string, folders: string[]): StarterSnapshot {
  const snapshot: StarterSnapshot = {};
  for (const folder of folders) {
    const dir = path.join(root, 'exercises', folder);
    const files: Record<string, string> = {};
    for (const rel of fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
      const full = path.join(dir, rel);
      if (fs.statSync(full).isFile()) files[rel.split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
    }
    snapshot[folder] = files;
  }
  return snapshot;
}

// ---- regions ---------------------------------------------------------------------------------

interface Block {
  /** undefined: starter code outside any region; else the Part of a top-level TODO region. */
  part?: string;
  lines: string[];
}

/** The starter file as code and top-level TODO regions, in order (a region includes its marker lines). */
export function blocksOf(text: string): Block[] {
  const blocks: Block[] = [{ lines: [] }];
  let open: string | undefined;
  for (const line of text.split('\n')) {
    if (open) {
      blocks[blocks.length - 1].lines.push(line);
      if (new RegExp(`^\\s*// END TODO Part ${open}\\b`).test(line)) {
        open = undefined;
        blocks.push({ lines: [] });
      }
      continue;
    }
    const start = TODO_START.exec(line);
    if (start) {
      open = start[1];
      blocks.push({ part: open, lines: [line] });
      continue;
    }
    blocks[blocks.length - 1].lines.push(line);
  }
  if (open) throw new ResetError(`TODO Part ${open} has no "// END TODO Part ${open}" line`);
  return blocks;
}

/** Parts whose TODO notes sit inside another Part's region (restored with that Part). */
function nestedParts(block: Block): string[] {
  return block.lines
    .slice(1)
    .map((line) => TODO_START.exec(line)?.[1])
    .filter((p): p is string => !!p && p !== block.part);
}

const IMPORT_START = /^import\s/;

/** Indices of the lines that matter when matching: not blank, not part of an import statement. */
function significant(lines: string[]): number[] {
  const out: number[] = [];
  let inImport = false;
  lines.forEach((line, i) => {
    if (!inImport && IMPORT_START.test(line)) {
      inImport = !/from\s+['"].*['"];?\s*$|^import\s+['"].*['"];?\s*$/.test(line);
      return;
    }
    if (inImport) {
      inImport = !/from\s+['"].*['"];?\s*$/.test(line);
      return;
    }
    if (line.trim()) out.push(i);
  });
  return out;
}

type Span = [number, number];

/**
 * Where each starter code block sits in the learner's lines ([first, last] significant line), matched
 * in order twice: each block as early as possible, and each as late as possible. Where the two agree,
 * the block can only be there; where they differ, the learner's code contains a copy of it and the
 * place is ambiguous. `null`: not found (or nothing to anchor on); undefined for regions.
 */
function locate(
  blocks: Block[],
  learner: string[],
): { early: (Span | null | undefined)[]; late: (Span | null | undefined)[] } {
  const mine = significant(learner);
  // Indentation counts: it tells the parent's `} catch (err) {` from one nested in the learner's code.
  const key = (line: string) => line.trimEnd();
  const wanted = blocks.map((block) =>
    block.part ? undefined : significant(block.lines).map((i) => key(block.lines[i])),
  );
  const matchesAt = (w: string[], s: number) => w.every((line, j) => key(learner[mine[s + j]]) === line);
  const early: (Span | null | undefined)[] = [];
  let from = 0;
  for (const w of wanted) {
    if (!w) early.push(undefined);
    else if (!w.length) early.push(null);
    else {
      let found: Span | null = null;
      for (let s = from; s + w.length <= mine.length; s++) {
        if (matchesAt(w, s)) {
          found = [mine[s], mine[s + w.length - 1]];
          from = s + w.length;
          break;
        }
      }
      early.push(found);
    }
  }
  const late: (Span | null | undefined)[] = new Array(blocks.length);
  let until = mine.length; // exclusive
  for (let b = wanted.length - 1; b >= 0; b--) {
    const w = wanted[b];
    if (!w) late[b] = undefined;
    else if (!w.length) late[b] = null;
    else {
      let found: Span | null = null;
      for (let s = until - w.length; s >= 0; s--) {
        if (matchesAt(w, s)) {
          found = [mine[s], mine[s + w.length - 1]];
          until = s;
          break;
        }
      }
      late[b] = found;
    }
  }
  return { early, late };
}

function leadingBlanks(lines: string[]): number {
  let n = 0;
  while (n < lines.length && !lines[n].trim()) n++;
  return n;
}

function trailingBlanks(lines: string[]): number {
  let n = 0;
  while (n < lines.length && !lines[lines.length - 1 - n].trim()) n++;
  return n;
}

export interface FileRestore {
  file: string;
  /** The learner's lines replaced (1-based, inclusive), per region. */
  regions: { part: string; from: number; to: number }[];
  text: string;
}

/**
 * The learner's `current` text with Part `part`'s regions put back as the starter has them, or why
 * not. `unchanged` when those regions already are the starter's.
 */
export function restoreRegions(
  file: string,
  starterText: string,
  current: string,
  part: string,
): FileRestore | { file: string; problem: string } | { file: string; unchanged: true } {
  const blocks = blocksOf(starterText);
  const learner = current.split('\n');
  const { early, late } = locate(blocks, learner);
  const same = (a: Span | null | undefined, b: Span | null | undefined) => !!a && !!b && a[0] === b[0] && a[1] === b[1];
  const out: string[] = [];
  const regions: FileRestore['regions'] = [];
  let copied = 0; // learner lines already handled
  let changed = false;
  const onlyBlanks = (i: number) => !!blocks[i] && !blocks[i].part && significant(blocks[i].lines).length === 0;
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b];
    if (block.part !== part) continue;
    // The learner kept the TODO and END lines: they say exactly where the region is.
    const start = learner.findIndex((line, i) => i >= copied && line.trimEnd() === block.lines[0].trimEnd());
    const endLine = block.lines[block.lines.length - 1].trimEnd();
    const end = start < 0 ? -1 : learner.findIndex((line, i) => i > start && line.trimEnd() === endLine);
    if (start >= 0 && end >= 0) {
      if (learner.slice(start, end + 1).join('\n') !== block.lines.join('\n')) changed = true;
      out.push(...learner.slice(copied, start), ...block.lines);
      regions.push({ part, from: start + 1, to: end + 1 });
      copied = end + 1;
      continue;
    }
    const before = early[b - 1];
    const after = early[b + 1];
    if (!before || !after) {
      const other = onlyBlanks(b - 1) ? blocks[b - 2]?.part : onlyBlanks(b + 1) ? blocks[b + 2]?.part : undefined;
      if (other) {
        return {
          file,
          problem:
            `Part ${part}'s region touches Part ${other}'s, and without their TODO and END lines your code for the ` +
            `two cannot be told apart (put back the line "${block.lines[0].trim().slice(0, 40)}…" and ` +
            `"${endLine.trim()}" around your Part ${part} code, or restore the whole lesson)`,
        };
      }
      const which = !before ? 'before' : 'after';
      return {
        file,
        problem: `the starter's code ${which} Part ${part}'s region is not in your file any more, so the region cannot be told apart`,
      };
    }
    if (!same(before, late[b - 1]) || !same(after, late[b + 1])) {
      return {
        file,
        problem: `your code repeats the starter's lines around Part ${part}'s region, so where the region ends is ambiguous`,
      };
    }
    // Replace everything between the code around the region, blank lines included, by the starter's
    // blank lines, region and blank lines: the result reads exactly like the starter there.
    const gapFrom = before[1] + 1;
    const gapTo = after[0]; // exclusive
    const starterGap = [
      ...blocks[b - 1].lines.slice(blocks[b - 1].lines.length - trailingBlanks(blocks[b - 1].lines)),
      ...block.lines,
      ...blocks[b + 1].lines.slice(0, leadingBlanks(blocks[b + 1].lines)),
    ];
    const mine = learner.slice(gapFrom, gapTo);
    if (mine.join('\n') !== starterGap.join('\n')) changed = true;
    out.push(...learner.slice(copied, gapFrom), ...starterGap);
    regions.push({ part, from: gapFrom + 1, to: gapTo });
    copied = gapTo;
  }
  if (!regions.length) return { file, unchanged: true };
  out.push(...learner.slice(copied));
  if (!changed) return { file, unchanged: true };
  return { file, regions, text: mergeImports(out.join('\n'), starterText) };
}

// ---- imports ---------------------------------------------------------------------------------

interface ImportDecl {
  text: string;
  module: string;
  typeOnly: boolean;
  names?: string[];
  start: number;
  end: number;
}

function importsOf(text: string): ImportDecl[] {
  const decls: ImportDecl[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?([\s\S]*?)\s+from\s+['"]([^'"]+)['"];?[ \t]*$/gm)) {
    const braces = /^\{([\s\S]*)\}$/.exec(m[2].trim());
    decls.push({
      text: m[0],
      module: m[3],
      typeOnly: !!m[1],
      names: braces
        ? braces[1]
            .split(',')
            .map((n) => n.trim())
            .filter(Boolean)
        : undefined,
      start: m.index!,
      end: m.index! + m[0].length,
    });
  }
  return decls;
}

const localName = (spec: string) =>
  spec
    .replace(/^type\s+/, '')
    .split(/\s+as\s+/)
    .pop()!
    .trim();

/**
 * Makes sure everything the starter imports is imported: a restored region may use a name the
 * learner's finished code no longer needed (and so removed from the import).
 */
export function mergeImports(text: string, starterText: string): string {
  let result = text;
  for (const wanted of importsOf(starterText)) {
    const have = importsOf(result).filter((d) => d.module === wanted.module && d.typeOnly === wanted.typeOnly);
    if (!have.length) {
      const last = importsOf(result).pop();
      const at = last ? last.end : 0;
      result = `${result.slice(0, at)}${last ? '\n' : ''}${wanted.text}${last ? '' : '\n'}${result.slice(at)}`;
      continue;
    }
    if (!wanted.names) continue;
    const named = have.find((d) => d.names);
    const present = new Set(have.flatMap((d) => (d.names ?? []).map(localName)));
    const missing = wanted.names.filter((n) => !present.has(localName(n)));
    if (!missing.length) continue;
    if (!named) {
      result = `${result.slice(0, have[0].end)}\n${wanted.text}${result.slice(have[0].end)}`;
      continue;
    }
    const names = [...named.names!, ...missing];
    const sorted = [...named.names!].sort((a, b) => localName(a).localeCompare(localName(b)));
    if (sorted.join() === named.names!.join()) names.sort((a, b) => localName(a).localeCompare(localName(b)));
    const typePrefix = named.typeOnly ? 'type ' : '';
    const single = `import ${typePrefix}{ ${names.join(', ')} } from '${named.module}';`;
    const replacement =
      single.length <= 120
        ? single
        : `import ${typePrefix}{\n${names.map((n) => `  ${n},`).join('\n')}\n} from '${named.module}';`;
    result = `${result.slice(0, named.start)}${replacement}${result.slice(named.end)}`;
  }
  return result;
}

// ---- the reset -------------------------------------------------------------------------------

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
