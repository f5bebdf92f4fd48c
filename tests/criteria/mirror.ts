/**
 * exercises/<lesson> must equal solution/<lesson> outside the TODO regions, so `diff -r` shows exactly
 * the learner's work. A region runs from a `// TODO Part X:` line to its `// END TODO Part X` line.
 * Import lines may differ (a starter imports what its stubs need).
 */
import fs from 'node:fs';
import path from 'node:path';
import { importLines, TODO_START } from '../../common/kit/reset/exercise-lines';

function files(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? files(path.join(dir, entry.name)).map((f) => path.join(entry.name, f)) : [entry.name],
    );
}

/** Lines without import declarations. */
function withoutImports(text: string): string[] {
  const lines = text.split('\n');
  const imports = importLines(lines);
  return lines.filter((_, i) => !imports[i]);
}

/** The exercise's lines outside TODO regions, as consecutive segments. */
export function segmentsOutsideTodos(lines: string[]): { segments: string[][]; parts: string[] } {
  const segments: string[][] = [[]];
  const parts: string[] = [];
  let open: string | undefined;
  for (const line of lines) {
    if (open) {
      if (new RegExp(`^\\s*// END TODO Part ${open}\\b`).test(line)) {
        open = undefined;
        segments.push([]);
      }
      continue;
    }
    const start = TODO_START.exec(line);
    if (start) {
      open = start[1];
      parts.push(open);
      continue;
    }
    segments[segments.length - 1].push(line);
  }
  if (open) throw new Error(`TODO Part ${open} has no "// END TODO Part ${open}" line`);
  return { segments, parts };
}

function indexOfSegment(haystack: string[], needle: string[], from: number): number {
  if (needle.length === 0) return from;
  for (let i = from; i + needle.length <= haystack.length; i++) {
    if (needle.every((line, j) => haystack[i + j] === line)) return i;
  }
  return -1;
}

/** Problems that break the mirror; empty when exercises and solution agree outside the TODOs. */
export function mirrorProblems(solutionDir: string, exercisesDir: string): string[] {
  const problems: string[] = [];
  const sol = new Set(files(solutionDir));
  const ex = new Set(files(exercisesDir));
  for (const f of sol) if (!ex.has(f)) problems.push(`${f}: in solution but not in exercises`);
  for (const f of ex) if (!sol.has(f)) problems.push(`${f}: in exercises but not in solution`);
  for (const f of [...sol].filter((x) => ex.has(x) && x.endsWith('.ts'))) {
    const solution = withoutImports(fs.readFileSync(path.join(solutionDir, f), 'utf8'));
    let segments: string[][];
    try {
      segments = segmentsOutsideTodos(withoutImports(fs.readFileSync(path.join(exercisesDir, f), 'utf8'))).segments;
    } catch (err) {
      problems.push(`${f}: ${(err as Error).message}`);
      continue;
    }
    let at = 0;
    segments.forEach((segment, i) => {
      const found = indexOfSegment(solution, segment, at);
      const anchored = i === 0 ? found === 0 : found >= at;
      if (found < 0 || !anchored) {
        problems.push(
          `${f}: exercise lines ${JSON.stringify(segment.find((l) => l.trim()) ?? '')}… do not appear in the solution at this place`,
        );
        return;
      }
      at = found + segment.length;
    });
    if (segments.length > 0 && at !== solution.length && segments[segments.length - 1].length > 0) {
      problems.push(`${f}: the solution has lines after the exercise's last segment`);
    }
    if (segments.length === 1 && solution.join('\n') !== segments[0].join('\n'))
      problems.push(`${f}: differs with no TODO region`);
  }
  return problems;
}

/** Every Part letter named by a `// TODO Part X:` marker under `dir`. */
export function partsNamedInCode(dir: string): Set<string> {
  const parts = new Set<string>();
  for (const f of files(dir).filter((x) => x.endsWith('.ts'))) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const m = /\/\/ TODO Part ([A-Z]):/.exec(line);
      if (m) parts.add(m[1]);
    }
  }
  return parts;
}
