/**
 * One Part's TODO regions put back into a learner's file, for `npm run reset -- --part X`
 * (./reset-plan.ts plans the whole reset).
 *
 * A Part's regions are found by the code around them, not by the TODO markers (a learner usually
 * deletes those): outside its TODO regions a learner's file still has the starter's lines
 * (tests/criteria/mirror.ts checks the same of the solution), so each region is whatever lies between
 * the starter lines before it and the starter lines after it. Blank lines and import lines are skipped when matching, and lines are
 * compared without trailing spaces (indentation counts); a region whose surroundings cannot be found is
 * reported, never guessed.
 */
import { KitError } from '../../../services/errors';
import { mergeImports } from './merge-imports';
import { importLines, TODO_START } from './exercise-lines';

/** A reset that cannot be done as asked; the message says why. */
export class ResetError extends KitError {}

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
export function nestedParts(block: Block): string[] {
  return block.lines
    .slice(1)
    .map((line) => TODO_START.exec(line)?.[1])
    .filter((p): p is string => !!p && p !== block.part);
}

/** Indices of the lines that matter when matching: not blank, not part of an import statement. */
function significant(lines: string[]): number[] {
  const imports = importLines(lines);
  return lines.flatMap((line, i) => (!imports[i] && line.trim() ? [i] : []));
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
