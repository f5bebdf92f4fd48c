/**
 * The engine's floor: the shapes of the lessons with nothing inside them. Each activity is a no-op, so
 * what these workflows cost is what Temporal itself costs for that shape (history events, workflow
 * tasks, round trips to the server). `npm run bench` runs them next to the lessons with the same
 * orders and the same worker settings. Workflow code, so no Node modules here.
 */
import { continueAsNew, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Order } from '../../services/orders';
import type { FloorActivities } from './activities';

const { noop } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumAttempts: 4 },
});

export interface FloorShape {
  /** How many activities the flat workflow runs, or how many children the parent runs. */
  steps: number;
  /** For the parent: how many activities each child runs (default 1). */
  activitiesPerChild?: number;
  /** For the parent: no-op activities it runs itself before the children (lessons 06 and 07 validate first). */
  parentActivities?: number;
  /** For the flat workflow: start a fresh history (continue-as-new) after every this many activities. */
  continueAsNewEvery?: number;
}

/**
 * One workflow running `steps` no-op activities in order (the shape of lesson 02). With
 * `continueAsNewEvery` it carries on in a fresh run, with a fresh history, every so many steps.
 */
export async function flatFloorWorkflow(order: Order, shape: FloorShape, done = 0): Promise<number> {
  for (let step = done + 1; step <= shape.steps; step++) {
    await noop(`${order.orderId}-${step}`);
    if (shape.continueAsNewEvery && step % shape.continueAsNewEvery === 0 && step < shape.steps) {
      return continueAsNew<typeof flatFloorWorkflow>(order, shape, step);
    }
  }
  return shape.steps;
}

/** A child with `activities` no-op activities (one: the shape of one lesson-06 child). */
export async function childFloorWorkflow(key: string, activities = 1): Promise<number> {
  for (let step = 1; step <= activities; step++) await noop(`${key}-${step}`);
  return activities;
}

/** A parent running `steps` children in order, each with its no-op activities (the shape of lesson 06). */
export async function parentFloorWorkflow(order: Order, shape: FloorShape): Promise<number> {
  const parentId = workflowInfo().workflowId;
  for (let step = 1; step <= (shape.parentActivities ?? 0); step++) await noop(`${parentId}-${step}`);
  for (let step = 1; step <= shape.steps; step++) {
    const workflowId = `${parentId}-child-${step}`;
    await executeChild(childFloorWorkflow, { workflowId, args: [workflowId, shape.activitiesPerChild ?? 1] });
  }
  return shape.steps;
}
