/**
 * The recorded event histories the replay tests replay (tests/fixtures/histories), in the JSON form
 * Temporal's own tools write: `temporal workflow show --output json`, or the Web UI's download.
 * `npx ts-node scripts/maintainer/record-histories.ts` writes them.
 */
import type { temporal } from '@temporalio/proto';
import { Worker, type ReplayResult, type ReplayWorkerOptions } from '@temporalio/worker';
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

/**
 * Replays the history `files` against the workflows of `options` (a bundle or a workflows path), one
 * result per file, in order. Each is replayed as the workflow `workflowId`, or as its file name when
 * none is given (a recorded workflow reads nothing from its ID).
 */
export async function replayFixtures(
  options: ReplayWorkerOptions,
  files: string[],
  workflowId?: string,
): Promise<ReplayResult[]> {
  const histories = files.map((file) => ({ workflowId: workflowId ?? file, history: readHistoryFixture(file) }));
  const results: ReplayResult[] = [];
  for await (const result of Worker.runReplayHistories(options, histories)) results.push(result);
  return results;
}
