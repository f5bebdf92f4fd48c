/**
 * The children a parent started, read from its event history: which child, its workflow ID, the
 * event that initiated it and the one that closed it (and how). Lessons 06 and 07's criteria share it.
 */
import type { ChildKind } from '../../common/lessons';
import type { Observation } from './observation';

/** The child workflow type of each child kind. */
export const CHILD_TYPES: Record<ChildKind, string> = {
  payment: 'paymentWorkflow',
  inventory: 'inventoryWorkflow',
  shipping: 'shippingWorkflow',
  notification: 'notificationWorkflow',
};

/** An event ID (or any history number) as a plain number. */
export function num(value: unknown): number {
  return Number(String(value ?? 0));
}

export interface ChildRun {
  kind?: ChildKind;
  workflowId: string;
  type: string;
  initiatedId: number;
  closedId?: number;
  closedAs?: string;
}

/** The children the parent started, from its event history, in the order it started them. */
export function childRuns(obs: Observation): ChildRun[] | undefined {
  if (!obs.history) return undefined;
  const runs = new Map<number, ChildRun>();
  for (const event of obs.history.events ?? []) {
    const id = num(event.eventId);
    const started = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (started) {
      const type = started.workflowType?.name ?? '';
      const kind = (Object.keys(CHILD_TYPES) as ChildKind[]).find((k) => CHILD_TYPES[k] === type);
      runs.set(id, { kind, type, workflowId: started.workflowId ?? '', initiatedId: id });
      continue;
    }
    const closes: [string, { initiatedEventId?: unknown } | null | undefined][] = [
      ['completed', event.childWorkflowExecutionCompletedEventAttributes],
      ['failed', event.childWorkflowExecutionFailedEventAttributes],
      ['cancelled', event.childWorkflowExecutionCanceledEventAttributes],
      ['timed out', event.childWorkflowExecutionTimedOutEventAttributes],
      ['terminated', event.childWorkflowExecutionTerminatedEventAttributes],
      ['not started', event.startChildWorkflowExecutionFailedEventAttributes],
    ];
    for (const [closedAs, attrs] of closes) {
      const run = attrs ? runs.get(num(attrs.initiatedEventId)) : undefined;
      if (run) {
        run.closedId = id;
        run.closedAs = closedAs;
      }
    }
  }
  return [...runs.values()];
}
