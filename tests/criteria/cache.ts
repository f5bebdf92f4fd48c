/**
 * Content hashes and the grader's cache folder (.grade/cache/<kind>/). Every cached result is keyed by
 * the content of what it depends on, never by a timestamp, so an edit can never be answered from the
 * cache and an unchanged tree never pays twice.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** `.grade/cache/<kind>` under `root`, created on first use. */
export function cacheDir(root: string, kind: string): string {
  const dir = path.join(root, '.grade', 'cache', kind);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The key of a content: sha256 over `parts`, in order, each with its length (so no two lists of parts
 * share a key), as 32 hex digits. Every cache of the grader is keyed by one.
 */
export function contentKey(parts: Iterable<string | Uint8Array>): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const bytes = typeof part === 'string' ? Buffer.from(part) : part;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest('hex').slice(0, 32);
}

/** Every file under `at` (or `at` itself), by its path relative to `entry` and its content. */
function* treeParts(entry: string, at: string): Generator<string | Uint8Array> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(at);
  } catch {
    yield* ['missing', path.relative(entry, at)];
    return;
  }
  if (!stat.isDirectory()) {
    yield* ['file', path.relative(entry, at), fs.readFileSync(at)];
    return;
  }
  for (const name of fs.readdirSync(at).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    yield* treeParts(entry, path.join(at, name));
  }
}

function* entriesParts(entries: string[]): Generator<string | Uint8Array> {
  for (const entry of entries) {
    yield* ['entry', path.basename(entry)];
    yield* treeParts(entry, entry);
  }
}

/**
 * The key of the files (and folders, recursively) named, by content and by their path relative to the
 * folder or file named: two copies of the same tree have the same key wherever they live.
 */
export function hashFiles(entries: string[]): string {
  return contentKey(entriesParts(entries));
}

/** Keeps the `keep` most recently written entries of a cache folder. */
export function pruneCache(dir: string, keep: number): void {
  try {
    const entries = fs
      .readdirSync(dir)
      .map((name) => ({ name, at: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    for (const old of entries.slice(keep)) fs.rmSync(path.join(dir, old.name), { force: true });
  } catch {
    // another grader pruned at the same time: fine
  }
}
