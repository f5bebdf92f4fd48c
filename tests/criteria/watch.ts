/**
 * Watching a run while it goes: the two ways it can never end (stopped early instead of waiting for
 * the timeout), the `status` answers of the parent and its children, and what visibility lists.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { childWorkflowIdOf, LESSONS, type LessonId } from '../../common/lessons';
import { troubleOf } from '../../common/workflow-trouble';
import { testEnv } from '../../common/kit/server';
import { until } from '../../common/kit/wait';
import { errorMessage, type ChildView, type Outcome, type Scenario, type StatusSample } from './observation';

/** A query's answer, or the error it met as `{ queryError }`. */
export async function settle<T>(promise: Promise<T>): Promise<T | { queryError: string }> {
  try {
    return await promise;
  } catch (err) {
    return { queryError: errorMessage(err) };
  }
}

type EarlyEnd = Extract<Outcome, { kind: 'stuck' | 'retrying-forever' }>;

/**
 * Watches a run for the two ways it can never end, and reports the first one seen instead of waiting
 * for the timeout:
 *   - a workflow task that keeps failing (a plain Error, a nondeterministic change): Temporal retries
 *     a failed workflow task forever;
 *   - an activity the scenario makes fail for good (`hopeless`), retried with no maximumAttempts and
 *     no schedule-to-close deadline: Temporal retries it forever.
 * It describes each workflow (and, with `followChildren`, every child it has running) a few times a
 * second; the history is fetched only when a workflow task has failed, for its message.
 */
export function watchRun(ids: string[], scenario: Scenario, followChildren: boolean) {
  const client = testEnv().client;
  const hopeless = new Set(scenario.hopeless ?? []);
  let stopped = false;
  const inspect = async (workflowId: string, more: string[]): Promise<EarlyEnd | undefined> => {
    let raw;
    try {
      raw = (await client.workflow.getHandle(workflowId).describe()).raw;
    } catch {
      return undefined; // not started (yet)
    }
    if (followChildren)
      for (const child of raw.pendingChildren ?? []) if (child.workflowId) more.push(child.workflowId);
    const trouble = await troubleOf(client, workflowId, raw);
    if (trouble) return { kind: 'stuck', ...trouble };
    // Without a schedule-to-close timeout of its own, an activity's deadline is the workflow's (the
    // execution timeout the grader sets): that is no limit of the learner's.
    const seconds = (t?: { seconds?: unknown; nanos?: number | null } | null) =>
      Number(t?.seconds ?? 0) + (t?.nanos ?? 0) / 1e9;
    const config = raw.executionConfig;
    const workflowTimeout = seconds(config?.workflowRunTimeout) || seconds(config?.workflowExecutionTimeout);
    const workflowDeadline = workflowTimeout ? seconds(raw.workflowExecutionInfo?.startTime) + workflowTimeout : 0;
    for (const activity of raw.pendingActivities ?? []) {
      const name = activity.activityType?.name ?? '';
      const expires = seconds(activity.expirationTime);
      const deadline = expires > 0 && (!workflowDeadline || expires < workflowDeadline - 1);
      const attempt = activity.attempt ?? 0;
      if (hopeless.has(name) && attempt >= 2 && !activity.maximumAttempts && !deadline) {
        return {
          kind: 'retrying-forever',
          message: `${name} failed ${attempt - 1} time(s) and is retried with no maximumAttempts: it would be retried forever`,
          workflowId,
          activity: name,
          attempt,
        };
      }
    }
    return undefined;
  };
  const found = (async (): Promise<EarlyEnd> => {
    for (let tick = 0; !stopped; tick++) {
      // Soon after the start, then twice a second: each look is one describe per running workflow.
      await sleep(tick === 0 ? 300 : 500);
      const queue = [...ids];
      const seen = new Set<string>();
      while (queue.length && !stopped) {
        const batch = queue.splice(0).filter((id) => !seen.has(id));
        batch.forEach((id) => seen.add(id));
        const results = await Promise.all(batch.map((id) => inspect(id, queue)));
        const end = results.find(Boolean);
        if (end && !stopped) return end;
      }
    }
    return new Promise<never>(() => undefined);
  })();
  return { found, stop: () => (stopped = true) };
}

/** Children of `parentId` according to the visibility store (list, then describe each). */
export async function listChildren(parentId: string, expected: number): Promise<ChildView[]> {
  const client = testEnv().client;
  let views: ChildView[] = [];
  // Visibility is eventually consistent: poll briefly until every child shows up.
  await until(
    async () => {
      views = [];
      for await (const info of client.workflow.list({ query: `ParentWorkflowId = "${parentId}"` })) {
        views.push({
          workflowId: info.workflowId,
          type: info.type,
          status: info.status.name,
          parentWorkflowId: info.parentExecution?.workflowId ?? undefined,
        });
      }
      return views.length >= expected;
    },
    { timeoutMs: 5000, everyMs: 200 },
  );
  return views;
}

/**
 * The parent's first answer to `status` while it is still validating (the scenario slows validation
 * down). A parent that registers its handler only after an await cannot answer yet.
 */
export async function queryWhileValidating(handle: { query: (name: string) => Promise<unknown> }): Promise<unknown> {
  let last: unknown = { queryError: 'no answer' };
  await until(
    async () => {
      last = await settle(handle.query('status'));
      return !(typeof last === 'object' && last !== null && 'queryError' in last);
    },
    { timeoutMs: 1_000, everyMs: 100 },
  );
  return last;
}

/**
 * Asks the parent and every child for `status` every 100 ms until stopped, keeping each round's
 * answers (a workflow that does not exist yet, or has no handler, answers with a queryError).
 */
export function watchStatus(handle: { query: (name: string) => Promise<unknown> }, lesson: LessonId, orderId: string) {
  const client = testEnv().client;
  const samples: StatusSample[] = [];
  const started = Date.now();
  let stopped = false;
  // A lesson without children (03) has only the workflow's own `status` to ask.
  const kinds = LESSONS[lesson].children;
  const done = (async () => {
    while (!stopped) {
      const atMs = Date.now() - started;
      const [parent, ...children] = await Promise.all([
        settle(handle.query('status')),
        ...kinds.map((kind) =>
          settle(client.workflow.getHandle(childWorkflowIdOf(lesson, kind, orderId)).query('status')),
        ),
      ]);
      samples.push({ atMs, parent, children: Object.fromEntries(kinds.map((kind, i) => [kind, children[i]])) });
      await sleep(100);
    }
  })();
  return {
    /**
     * Ends the sampling. `waitForRound`: also wait for the round in flight, unless a workflow's task
     * keeps failing: its query would only end at the server's query timeout (30 s).
     */
    stop: async (waitForRound = true) => {
      stopped = true;
      if (waitForRound) await done;
      return [...samples];
    },
  };
}
