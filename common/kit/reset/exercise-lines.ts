/**
 * How an exercise file reads line by line: where a TODO region starts (a `// TODO Part X:` line; it runs
 * to its `// END TODO Part X` line) and which lines belong to import declarations. `npm run reset` finds
 * a Part's regions with them (./restore.ts); the tests check with them that exercises/<lesson> equals
 * solution/<lesson> outside the TODO regions (tests/criteria/mirror.ts).
 */

export const TODO_START = /^\s*\/\/ TODO Part ([A-Z]):/;

/** Which of `lines` belong to an import declaration (single- or multi-line). */
export function importLines(lines: string[]): boolean[] {
  let inImport = false;
  return lines.map((line) => {
    if (!inImport && /^import\s/.test(line)) {
      inImport = !/from\s+['"].*['"];?\s*$|^import\s+['"].*['"];?\s*$/.test(line);
      return true;
    }
    if (!inImport) return false;
    inImport = !/from\s+['"].*['"];?\s*$/.test(line);
    return true;
  });
}
