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

function walk(entry: string, out: string[]): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(entry);
  } catch {
    out.push(`${entry}\0missing`);
    return;
  }
  if (stat.isDirectory()) {
    for (const name of fs.readdirSync(entry).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      walk(path.join(entry, name), out);
    }
  } else {
    out.push(entry);
  }
}

/**
 * A hash of the files (and folders, recursively) named, by content and by their path relative to the
 * folder or file named: two copies of the same tree hash the same wherever they live.
 */
export function hashFiles(entries: string[]): string {
  const hash = createHash('sha256');
  for (const entry of entries) {
    const files: string[] = [];
    walk(entry, files);
    hash.update(`\0entry\0${path.basename(entry)}`);
    for (const file of files) {
      if (file.endsWith('\0missing')) {
        hash.update(`\0missing\0${path.relative(entry, file.slice(0, -8))}`);
        continue;
      }
      hash.update(`\0file\0${path.relative(entry, file)}\0`);
      hash.update(fs.readFileSync(file));
    }
  }
  return hash.digest('hex');
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
