/**
 * The recorded event histories the replay test replays (tests/fixtures/histories), in the JSON form
 * Temporal's own tools write: `temporal workflow show --output json`, or the Web UI's download.
 * `npx ts-node scripts/maintainer/record-histories.ts` writes them.
 */
import type { temporal } from '@temporalio/proto';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../services';

export const HISTORIES_DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'histories');

export type History = temporal.api.history.v1.IHistory;

/**
 * A history file as the SDK's replayer takes it: the replayer recognises Temporal's JSON form (event
 * IDs as strings) and converts it itself.
 */
export function readHistoryFixture(file: string): History {
  return JSON.parse(fs.readFileSync(path.resolve(HISTORIES_DIR, file), 'utf8')) as History;
}
