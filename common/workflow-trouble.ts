/**
 * A workflow whose workflow task keeps failing never ends on its own: Temporal retries a failed workflow
 * task forever, the workflow stays Running, and its queries wait for a task that cannot complete. The
 * two usual causes are a plain Error thrown in workflow code and a non-determinism error (the code
 * changed under a running workflow). This module notices it the way the Web UI shows it: the workflow's
 * pending workflow task is on its second attempt or later, and its history's last WorkflowTaskFailed
 * event says why. The client and the grader both use it.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';

export interface WorkflowTaskTrouble {
  workflowId: string;
  /** The failure message of the last WorkflowTaskFailed event. */
  message: string;
  /** The code no longer matches the history (TMPRL1100). */
  nondeterminism: boolean;
}

/**
 * The first of `workflowId` and (with `followChildren`) its running children whose workflow task keeps
 * failing, or undefined. One describe per workflow; a history is fetched only for a failing one.
 */
export async function workflowTaskTrouble(
  client: Client,
  workflowId: string,
  options: { followChildren?: boolean } = {},
): Promise<WorkflowTaskTrouble | undefined> {
  const queue = [workflowId];
  const seen = new Set<string>();
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const handle = client.workflow.getHandle(id);
    const description = await handle.describe().catch(() => undefined);
    if (!description) continue;
    const { raw } = description;
    if (options.followChildren) {
      for (const child of raw.pendingChildren ?? []) if (child.workflowId) queue.push(child.workflowId);
    }
    const trouble = await troubleOf(client, id, raw);
    if (trouble) return trouble;
  }
  return undefined;
}

/**
 * Why the workflow task of `workflowId` keeps failing, from a description just read (`raw`), or
 * undefined: its pending workflow task is on attempt 2 or later, and the history's last WorkflowTaskFailed
 * event says why. The history is fetched only then. (A failed task is retried as attempt 2, 3 …; the
 * worker reports only the first failure, so one recorded failure is enough.)
 */
export async function troubleOf(
  client: Client,
  workflowId: string,
  raw: Pick<WorkflowExecutionDescription['raw'], 'pendingWorkflowTask'>,
): Promise<WorkflowTaskTrouble | undefined> {
  if ((raw.pendingWorkflowTask?.attempt ?? 0) < 2) return undefined;
  const history = await client.workflow
    .getHandle(workflowId)
    .fetchHistory()
    .catch(() => undefined);
  const failures = (history?.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes);
  const attrs = failures[failures.length - 1]?.workflowTaskFailedEventAttributes;
  if (!attrs) return undefined;
  const message = attrs.failure?.message ?? 'workflow task failed';
  const nondeterminism =
    /nondetermin|TMPRL1100/i.test(message) || String(attrs.cause ?? '').includes('NON_DETERMINISTIC');
  return { workflowId, message, nondeterminism };
}

/** One line for people: what is wrong, what to do, and where the docs say more. */
export function describeTrouble(trouble: WorkflowTaskTrouble): string {
  const first = trouble.message.split('\n')[0].slice(0, 200);
  return trouble.nondeterminism
    ? `${trouble.workflowId} is stuck: its workflow task keeps failing with a non-determinism error (${first}). ` +
        'The worker runs workflow code that no longer matches this order’s history: put the change behind ' +
        'patched() or run the old code for orders already in flight ' +
        '(docs/troubleshooting.md#12-changing-workflow-code-while-orders-are-running).'
    : `${trouble.workflowId} is stuck: its workflow task keeps failing (${first}), and Temporal retries it ` +
        'forever. An Error thrown in workflow code fails the task, not the workflow: throw an ApplicationFailure ' +
        'to fail it, or fix the bug and restart the worker ' +
        '(docs/troubleshooting.md#7-a-plain-error-thrown-in-workflow-code).';
}
