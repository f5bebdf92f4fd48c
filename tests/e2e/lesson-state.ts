/**
 * A lesson's exercises as a learner has them after finishing some Parts: every `// TODO Part X:` region
 * of a Part up to the given one is replaced by the reference code it stands for (found by lining up the
 * exercise's lines outside the regions with the solution, as tests/criteria/mirror.ts does), the rest
 * stays a TODO. So a doc's "by hand" output can be checked against the code the learner has at that
 * point, e.g. one attempt per step before Part E.
 */
import fs from 'node:fs';
import path from 'node:path';
import { TODO_START } from '../../common/kit/reset/exercise-lines';

interface Region {
  part: string;
  /** Line indexes of the `// TODO Part X:` and `// END TODO Part X` lines. */
  start: number;
  end: number;
}

function regionsOf(lines: string[]): Region[] {
  const regions: Region[] = [];
  let open: { part: string; start: number } | undefined;
  lines.forEach((line, i) => {
    if (open) {
      if (new RegExp(`^\\s*// END TODO Part ${open.part}\\b`).test(line)) {
        regions.push({ ...open, end: i });
        open = undefined;
      }
      return;
    }
    const m = TODO_START.exec(line);
    if (m) open = { part: m[1], start: i };
  });
  return regions;
}

/** Which lines belong to import declarations (single- or multi-line). */
function importMask(lines: string[]): boolean[] {
  let inImport = false;
  return lines.map((line) => {
    if (!inImport && /^import\s/.test(line)) {
      inImport = !/from\s+['"].*['"];?\s*$|^import\s+['"].*['"];?\s*$/.test(line);
      return true;
    }
    if (inImport) {
      inImport = !/from\s+['"].*['"];?\s*$/.test(line);
      return true;
    }
    return false;
  });
}

function indexOfRun(haystack: string[], needle: string[], from: number): number {
  if (needle.length === 0) return from;
  for (let i = from; i + needle.length <= haystack.length; i++) {
    if (needle.every((line, j) => haystack[i + j] === line)) return i;
  }
  return -1;
}

/** The exercise file with the regions of `done` Parts filled in from the solution file. */
export function fillParts(exercise: string, solution: string, done: (part: string) => boolean): string {
  const ex = exercise.split('\n');
  const regions = regionsOf(ex);
  if (regions.length === 0 || !regions.some((r) => done(r.part))) return exercise;
  if (regions.every((r) => done(r.part))) return solution;
  const sol = solution.split('\n');
  const exImports = importMask(ex);
  const solImports = importMask(sol);
  // The solution without its imports, and where each of its lines is in the whole file.
  const solBody = sol.filter((_, i) => !solImports[i]);
  const out: string[] = [];
  let exAt = 0;
  let solAt = 0;
  for (const region of [...regions, undefined]) {
    // The exercise's lines before this region (outside every region) appear in the solution as they are.
    const upTo = region ? region.start : ex.length;
    const segment = ex.slice(exAt, upTo).filter((_, i) => !exImports[exAt + i]);
    const found = indexOfRun(solBody, segment, solAt);
    if (found < 0) throw new Error(`cannot line up the exercise with the solution before line ${upTo + 1}`);
    out.push(...ex.slice(exAt, upTo));
    solAt = found + segment.length;
    if (!region) break;
    // The solution's lines that stand where the region is: up to the next outside segment.
    const next = regions.find((r) => r.start > region.end);
    const after = ex
      .slice(region.end + 1, next ? next.start : ex.length)
      .filter((_, i) => !exImports[region.end + 1 + i]);
    if (next && after.every((l) => l.trim() === '') && done(next.part) !== done(region.part))
      throw new Error(
        `cannot tell where Part ${region.part} ends and Part ${next.part} begins (line ${next.start + 1})`,
      );
    const nextAt = indexOfRun(solBody, after, solAt);
    if (nextAt < 0) throw new Error(`cannot line up the exercise with the solution after line ${region.end + 1}`);
    if (done(region.part)) out.push(...solBody.slice(solAt, nextAt));
    else out.push(...ex.slice(region.start, region.end + 1));
    solAt = nextAt;
    exAt = region.end + 1;
  }
  return out.join('\n');
}

/**
 * Rewrites `exercisesDir` (a copy: this writes files) so that the Parts up to and including `lastPart`
 * are done, from `solutionDir`. `lastPart` undefined leaves the starter as it is.
 */
export function completeThrough(exercisesDir: string, solutionDir: string, lastPart: string | undefined): void {
  const done = (part: string) => lastPart !== undefined && part <= lastPart;
  const walk = (dir: string): string[] =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of walk(exercisesDir).filter((f) => f.endsWith('.ts'))) {
    const rel = path.relative(exercisesDir, file);
    const solutionFile = path.join(solutionDir, rel);
    if (!fs.existsSync(solutionFile)) continue;
    const exercise = fs.readFileSync(file, 'utf8');
    const filled = fillParts(exercise, fs.readFileSync(solutionFile, 'utf8'), done);
    if (filled !== exercise) fs.writeFileSync(file, filled);
  }
}
