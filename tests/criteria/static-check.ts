/**
 * The static half of grading (./pitfalls.ts: type errors and pitfalls, with file:line), run in a helper
 * process (./helper.ts) so that it overlaps with starting the server and bundling, and cached:
 *   - while this process runs, by the helper, which keeps the parsed type definitions between checks;
 *   - across runs, on disk under .grade/cache/static/, keyed by the content of everything the result
 *     depends on (the lesson's files, services/, common/, tsconfig.json, pitfalls.ts and what it
 *     imports, TypeScript's version), so a second `npm run grade` with nothing changed does not
 *     type-check again.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Finding } from './pitfalls';
import { cacheDir, contentKey, hashFiles, pruneCache } from './cache';
import { HelperProcess } from './helper';
import { importedContent } from './imports';
import { traced } from './trace';

// Nothing waits on it until the report is printed: it takes the CPU the scenarios leave while they
// wait on retry backoff, not the CPU the bundle and the server need to start.
const helper = new HelperProcess(path.join(__dirname, 'pitfalls'), 10);

function inProcess(lessonDir: string, root: string): Finding[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { staticFindings } = require('./pitfalls') as typeof import('./pitfalls');
  return staticFindings(lessonDir, root);
}

/** Stops the helper process (it also goes when this process exits). */
export function stopStaticChecks(): void {
  helper.stop();
}

function staticKey(lessonDir: string, root: string): string {
  const analyser = path.join(__dirname, `pitfalls${path.extname(__filename)}`);
  return contentKey([
    path.relative(root, lessonDir), // findings name files by their path
    fs.readFileSync(require.resolve('typescript/package.json', { paths: [root] })),
    ...importedContent(analyser, __dirname),
    hashFiles([path.join(root, 'tsconfig.json'), lessonDir, path.join(root, 'services'), path.join(root, 'common')]),
  ]);
}

const memo = new Map<string, Promise<Finding[]>>();

/** Type errors and pitfalls in the lesson at `lessonDir` (file paths relative to `root`). */
export function staticFindings(lessonDir: string, root: string): Promise<Finding[]> {
  const key = staticKey(lessonDir, root);
  let found = memo.get(key);
  if (found) return found;
  const file = path.join(cacheDir(root, 'static'), `${key}.json`);
  found = (async () => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Finding[];
    } catch {
      // not checked yet
    }
    let findings: Finding[];
    try {
      findings = await traced('static check', helper.call<Finding[]>('staticFindings', lessonDir, root));
    } catch (err) {
      if (err instanceof Error && err.name === 'HelperStopped') throw err;
      findings = inProcess(lessonDir, root); // the helper could not start: do it here
    }
    fs.writeFileSync(file, JSON.stringify(findings));
    pruneCache(path.dirname(file), 50);
    return findings;
  })();
  memo.set(key, found);
  found.catch(() => memo.delete(key));
  if (memo.size > 50) memo.delete(memo.keys().next().value!);
  return found;
}
