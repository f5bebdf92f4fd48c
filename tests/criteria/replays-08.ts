/**
 * Lesson 08's replays, on the test server.
 *
 * The replay test (Part A): the lesson's own serverHistories() and replayHistories() (replay.ts), on the
 * order v1 ran to its end in the deploy (./versioning-08.ts) and the recorded v1 histories, against the
 * solution's v2 with its patched() guards replaced by `true` (a change deployed without a patch: a
 * non-determinism error for each) and against the solution's v2 (no error).
 *
 * Retiring the patch (Part C): the lesson's v3 and v4, read and replayed against the recorded histories
 * of the builds before them.
 */
import type { Client } from '@temporalio/client';
import type { HistoryAndWorkflowId } from '@temporalio/common';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import fs from 'node:fs';
import path from 'node:path';
import { testEnv } from '../../common/kit/server';
import { until } from '../../common/kit/wait';
import { REPO_ROOT } from '../../services';
import { workflowsBundle } from './bundle';
import { errorMessage } from './observation';
import {
  buildFile,
  PATCH_ID,
  recordedHistories,
  SOLUTION_08,
  unpatchedSolution,
  type DeployRun,
} from './versioning-08';

// ---- the replay test (Part A) ----------------------------------------------------------------------

/** A verdict as the lesson's replay.ts returns it (checked, not trusted). */
export interface ReplayVerdict {
  workflowId: string;
  ok: boolean;
  nondeterminism: boolean;
  error?: string;
}

export interface ReplayTestRun {
  /** The lesson's replay.ts could not run: a TODO still in it, or an error. */
  problem?: string;
  /** The workflow IDs serverHistories() returned for the deploy's task queue (queryOf). */
  listed: string[];
  /** The histories replayed: the order v1 ran to its end (as serverHistories returned it), then the recorded v1 histories. */
  replayed: string[];
  /** replayHistories() against the solution's v2 with its patched() guards replaced by `true`. */
  unpatched?: ReplayVerdict[] | { error: string };
  /** replayHistories() against the solution's v2. */
  patched?: ReplayVerdict[] | { error: string };
}

interface ReplayModule {
  serverHistories: (
    client: Client,
    query: string,
  ) => Iterable<HistoryAndWorkflowId> | AsyncIterable<HistoryAndWorkflowId>;
  replayHistories: (
    workflows: { workflowBundle: WorkflowBundleWithSourceMap },
    histories: Iterable<HistoryAndWorkflowId>,
  ) => Promise<unknown>;
}

async function collect<T>(items: Iterable<T> | AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

function asVerdicts(value: unknown): ReplayVerdict[] | { error: string } {
  if (!Array.isArray(value))
    return { error: `replayHistories returned ${JSON.stringify(value)?.slice(0, 80)}, not a list of verdicts` };
  return value as ReplayVerdict[];
}

/** The visibility query the grader hands serverHistories(): every order of the deploy, open or closed. */
export function queryOf(run: DeployRun): string {
  return `TaskQueue = '${run.taskQueue}'`;
}

/** Runs the lesson's replay functions against the deploy's first order and the recorded v1 histories. */
export async function replayTestOf(lessonDir: string, run: DeployRun): Promise<ReplayTestRun> {
  const { client } = testEnv();
  const outcome: ReplayTestRun = { listed: [], replayed: [] };
  let replay: ReplayModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    replay = require(path.join(lessonDir, 'replay')) as ReplayModule;
  } catch (err) {
    return { ...outcome, problem: `replay.ts could not be loaded: ${errorMessage(err).split('\n')[0]}` };
  }
  let listed: HistoryAndWorkflowId[] = [];
  try {
    // The server's list is eventually consistent: ask again, briefly, until the order shows up.
    await until(
      async () => {
        listed = await collect(replay.serverHistories(client, queryOf(run)));
        return listed.some((h) => h.workflowId === run.onV1.workflowId);
      },
      { timeoutMs: 3_000, everyMs: 200 },
    );
  } catch (err) {
    return { ...outcome, problem: errorMessage(err).split('\n')[0] };
  }
  outcome.listed = listed.map((h) => h.workflowId);
  const histories = [...listed.filter((h) => h.workflowId === run.onV1.workflowId), ...recordedHistories('08-v1-')];
  outcome.replayed = histories.map((h) => h.workflowId);
  const [unpatchedBundle, patchedBundle] = await Promise.all([
    workflowsBundle(buildFile(unpatchedSolution(), 'v2'), REPO_ROOT),
    workflowsBundle(buildFile(SOLUTION_08, 'v2'), REPO_ROOT),
  ]);
  const judged = (bundle: WorkflowBundleWithSourceMap) =>
    replay.replayHistories({ workflowBundle: bundle }, [...histories]).then(asVerdicts, (err: unknown) => ({
      error: errorMessage(err).split('\n')[0],
    }));
  [outcome.unpatched, outcome.patched] = await Promise.all([judged(unpatchedBundle), judged(patchedBundle)]);
  const todo = [outcome.unpatched, outcome.patched].find(
    (v): v is { error: string } => 'error' in v && /TODO Part [A-Z]/.test(v.error),
  );
  if (todo) outcome.problem = todo.error;
  return outcome;
}

// ---- retiring the patch (Part C) ------------------------------------------------------------------

export interface BuildCheck {
  build: 'v3' | 'v4';
  /** The starter's stub is still there. */
  todo?: string;
  /** What the code says that it should not (or does not say that it should). */
  source?: string;
  /** Each recorded history replayed against the build (the grader's own replay). */
  replays: { file: string; ok: boolean; nondeterminism: boolean; error?: string }[];
  /** The build did not bundle or could not be replayed at all. */
  error?: string;
}

/** The recorded histories each build must replay: those of the build before it, and its own. */
const MUST_REPLAY: Record<BuildCheck['build'], string[]> = { v3: ['08-v2-', '08-v3-'], v4: ['08-v3-'] };

function sourceProblem(build: BuildCheck['build'], text: string): string | undefined {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  const deprecates = new RegExp(`deprecatePatch\\(\\s*['"\`]${PATCH_ID}['"\`]\\s*\\)`).test(code);
  const patches = /\bpatched\(/.test(code);
  if (build === 'v3') {
    if (patches)
      return "v3 still calls patched(): once no v1 order is open, the old path goes and deprecatePatch('fraud-check') takes its place";
    if (!deprecates) return "v3 does not call deprecatePatch('fraud-check')";
    return undefined;
  }
  if (patches || /\bdeprecatePatch\(/.test(code))
    return 'v4 still calls patched() or deprecatePatch(): in v4 the patch is gone';
  return undefined;
}

/** Reads and replays the lesson's v3 and v4. */
export async function retiredBuildsOf(lessonDir: string): Promise<BuildCheck[]> {
  return Promise.all(
    (['v3', 'v4'] as const).map(async (build): Promise<BuildCheck> => {
      const file = buildFile(lessonDir, build);
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      const check: BuildCheck = { build, replays: [] };
      const todo = new RegExp(`TODO Part [A-Z]: build ${build} is not written yet`).exec(text);
      if (todo) return { ...check, todo: `${todo[0]} (workflows/${build}.ts)` };
      const source = sourceProblem(build, text);
      if (source) check.source = source;
      try {
        const workflowBundle = await workflowsBundle(file, REPO_ROOT);
        const histories = MUST_REPLAY[build].flatMap((prefix) => recordedHistories(prefix));
        for await (const result of Worker.runReplayHistories({ workflowBundle }, histories)) {
          const own = result.error && /\[TMPRL\d+\][^"]*/.exec(result.error.message)?.[0];
          check.replays.push({
            file: result.workflowId,
            ok: !result.error,
            nondeterminism: result.error instanceof DeterminismViolationError,
            ...(result.error ? { error: own ?? result.error.message.split('\n')[0] } : {}),
          });
        }
      } catch (err) {
        check.error = errorMessage(err).split('\n')[0];
      }
      return check;
    }),
  );
}
