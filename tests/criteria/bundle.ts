/**
 * The lesson's workflow bundle for the grader, built once per content: bundling takes seconds, so the
 * result is kept in memory and on disk (.grade/cache/bundles/), keyed by the SDK's version and the
 * content of every file the workflows import as values (starting at workflows/index.ts: the lesson's
 * workflow files, shared.ts, common/failures.ts, services/orders.ts …). A type-only import is erased
 * by the bundler, so a save to activities.ts does not re-bundle; any change to a file the bundle
 * contains does.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { cacheDir, contentKey, pruneCache } from './cache';
import { HelperProcess } from './helper';
import { importedContent, resolveLocal } from './imports';
import { traced } from './trace';

const SDK_VERSION: string = JSON.parse(
  fs.readFileSync(require.resolve('@temporalio/worker/package.json'), 'utf8'),
).version;

/**
 * The key of the bundle for `workflowsDir` (its index.ts), or for one workflows file (lesson 08 bundles
 * each build, workflows/v1.ts …, on its own): what the bundler would read, by content.
 */
export function bundleKey(workflowsPath: string): string {
  const isFile = /\.[cm]?[jt]s$/.test(workflowsPath) && fs.existsSync(workflowsPath);
  const workflowsDir = isFile ? path.dirname(workflowsPath) : workflowsPath;
  const entry = isFile
    ? workflowsPath
    : (resolveLocal(path.join(workflowsDir, 'x'), './index') ?? path.join(workflowsDir, 'index.ts'));
  return contentKey(['sdk', SDK_VERSION, ...importedContent(entry, workflowsDir)]);
}

// Bundling is CPU work for seconds: in helper processes it never stalls the main thread, where a
// worker runs the scenarios' activities against the clock. A second helper starts only when bundles
// queue up (the tests bundle a dozen copies; one `npm run grade` needs one bundle).
const helpers = [0, 1].map(() => new HelperProcess(path.join(__dirname, 'bundle-build')));

/** Stops the bundling helper processes (they also go when this process exits). */
export function stopBundler(): void {
  for (const helper of helpers) helper.stop();
}

const memo = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** The bundle of `<lessonDir>/workflows`, from memory, from disk, or built (and then kept). */
export function lessonBundle(lessonDir: string, root: string): Promise<WorkflowBundleWithSourceMap> {
  return workflowsBundle(path.join(lessonDir, 'workflows'), root);
}

/** The bundle of a workflows folder or of one workflows file, from memory, from disk, or built (and then kept). */
export function workflowsBundle(workflowsPath: string, root: string): Promise<WorkflowBundleWithSourceMap> {
  const key = bundleKey(workflowsPath);
  let bundle = memo.get(key);
  if (bundle) return bundle;
  const dir = cacheDir(root, 'bundles');
  const file = path.join(dir, `${key}.json`);
  bundle = (async () => {
    try {
      return JSON.parse(fs.readFileSync(file, 'utf8')) as WorkflowBundleWithSourceMap;
    } catch {
      // not built yet
    }
    const helper = helpers[0].busy === 0 ? helpers[0] : helpers.reduce((a, b) => (b.busy < a.busy ? b : a));
    const built = await traced('bundle', helper.call<WorkflowBundleWithSourceMap>('buildBundle', workflowsPath));
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, JSON.stringify(built));
    fs.renameSync(partial, file);
    pruneCache(dir, 20);
    return built;
  })();
  memo.set(key, bundle);
  bundle.catch(() => memo.delete(key));
  if (memo.size > 20) memo.delete(memo.keys().next().value!);
  return bundle;
}
