/**
 * Replay: before a build is deployed, run it against the histories it is going to meet, and see
 * whether it makes the same calls, in the same order, that those histories record. A change that
 * would stop orders in flight with a non-determinism error fails here, on your machine, instead of in
 * production. replay.test.ts runs these functions (`npx mocha exercises/08-versioning/replay.test.ts`).
 *
 * Two sources of histories:
 *   - recorded ones, kept with the code (tests/fixtures/histories/08-*.json, in the JSON form that
 *     `temporal workflow show --output json` and the Web UI's download write);
 *   - the server's: the orders still running, which the deploy would meet (or any visibility query).
 */
import type { Client } from '@temporalio/client';
import type { HistoryAndWorkflowId } from '@temporalio/common';
import { Worker, type ReplayResult, type ReplayWorkerOptions } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../services';
import { BUILDS, TASK_QUEUE, type Build } from './shared';

/** The workflow code to replay against: a build's file (`workflowsPath`) or a bundle made of it. */
export type WorkflowCode = Pick<ReplayWorkerOptions, 'workflowsPath' | 'workflowBundle'>;

export type Histories = Iterable<HistoryAndWorkflowId> | AsyncIterable<HistoryAndWorkflowId>;

/** How one history replayed. */
export interface ReplayVerdict {
  workflowId: string;
  ok: boolean;
  /** The code made other calls than the history records (TMPRL1100). */
  nondeterminism: boolean;
  /** The replayer's message, when it failed. */
  error?: string;
}

export const HISTORIES_DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'histories');

/**
 * The recorded histories a deploy of `build` meets: those recorded on the build it replaces and on
 * itself (`08-v1-*.json` and `08-v2-*.json` for v2). Each is named by its file.
 */
export function recordedHistories(build: Build): HistoryAndWorkflowId[] {
  const previous = BUILDS[Math.max(0, BUILDS.indexOf(build) - 1)];
  const files = fs
    .readdirSync(HISTORIES_DIR)
    .filter((file) => file.startsWith(`08-${previous}-`) || file.startsWith(`08-${build}-`))
    .sort();
  return files.map((file) => ({
    workflowId: file,
    history: JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')),
  }));
}

/** The orders a deploy meets right now: every lesson-08 order still running (a visibility query). */
export const RUNNING_ORDERS = `TaskQueue = '${TASK_QUEUE}' AND ExecutionStatus = 'Running'`;

/**
 * The history of every workflow `query` finds on the server (the same queries as the Web UI's search
 * box): RUNNING_ORDERS for the orders a deploy would meet right now.
 */
export function serverHistories(client: Client, query: string): Histories {
  return client.workflow.list({ query }).intoHistories();
}

/**
 * Replays every history against `workflows`, one verdict each. A failed replay is a verdict, not an
 * exception: the caller sees every order that would break, not just the first.
 */
export async function replayHistories(workflows: WorkflowCode, histories: Histories): Promise<ReplayVerdict[]> {
  const verdicts: ReplayVerdict[] = [];
  for await (const result of Worker.runReplayHistories(workflows, histories)) verdicts.push(verdictOf(result));
  return verdicts;
}

/**
 * One replay result as a verdict. The replayer wraps its reason in a long message; the verdict keeps
 * its own words: `[TMPRL1100] Nondeterminism error: Activity type of scheduled event 'chargePayment' …`.
 */
export function verdictOf(result: ReplayResult): ReplayVerdict {
  const { workflowId, error } = result;
  if (!error) return { workflowId, ok: true, nondeterminism: false };
  const own = /\[TMPRL\d+\][^"]*/.exec(error.message)?.[0];
  return {
    workflowId,
    ok: false,
    nondeterminism: error instanceof DeterminismViolationError,
    error: own ?? error.message.split('\n')[0],
  };
}
