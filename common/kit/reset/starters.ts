/**
 * The starters `npm run reset` restores: every file of every exercises/<lesson> as the kit ships it,
 * kept in STARTERS_FILE, so a reset restores the true starter whether or not the learner has committed
 * their work, and on a tree that is not a git clone (a ZIP download).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ResetError } from './restore';

/** A lesson's starter files: path relative to the lesson folder → text. */
export type Starter = Map<string, string>;

/**
 * Where the starters are kept. scripts/maintainer/record-starters.ts writes it; a unit test keeps it
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
