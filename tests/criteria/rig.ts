/**
 * One worker for many scenarios of one lesson copy (the rig), and the lesson's activities it serves.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import path from 'node:path';
import { attemptInterceptor } from '../../common/worker';
import { testEnv } from '../../common/kit/server';
import { REPO_ROOT, type Order, type Services } from '../../services';
import { DeliveryLog, freshServices, uniqueTaskQueue, type AttemptsRun } from '../support/harness';
import { lessonBundle } from './bundle';
import type { Scenario, Target, TemporalTarget } from './observation';
import { traced } from './trace';

/**
 * One worker for many scenarios of one lesson copy: it polls one task queue and hands each activity
 * call to the services of the order it belongs to (every workflow ID of a run ends with its order ID).
 * Starting one worker instead of one per scenario saves loading the workflow bundle again each time.
 */
export interface Rig {
  taskQueue: string;
  /**
   * Serves the activities of `orderId`'s workflows from `services`. Call the result when done: it
   * returns the attempts of each activity the worker ran for the order.
   */
  serve(orderId: string, services: Services): () => AttemptsRun;
}

/** A scenario as it runs on a rig: the lesson copy, the scenario's order and fresh ledger, and the rig. */
export interface RigRun {
  target: TemporalTarget;
  scenario: Scenario;
  services: Services;
  order: Order;
  rig: Rig;
}

export type ActivityFn = (...args: unknown[]) => Promise<unknown>;

/** The lesson copy's `createActivities`, from its activities.ts. */
export function lessonActivities(lessonDir: string): (services: Services) => Record<string, ActivityFn> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path.join(lessonDir, 'activities')) as {
    createActivities: (s: Services) => Record<string, ActivityFn>;
  };
  return loaded.createActivities;
}

/** Does this scenario run workflows (and so need a worker)? */
export function needsWorker(target: Target, scenario: Scenario): boolean {
  return target.kind === 'temporal' && scenario.mode !== 'activities' && !scenario.observe;
}

/** Runs `body` while one worker serves `target`'s workflows; the worker stops afterwards. */
export async function withRig<T>(target: Target, body: (rig: Rig) => Promise<T>): Promise<T> {
  if (target.kind !== 'temporal') throw new Error(`${target.name} runs no workflows`);
  const createActivities = lessonActivities(target.lessonDir);
  const probe = freshServices();
  let names: string[];
  try {
    names = Object.keys(createActivities(probe));
  } finally {
    probe.close();
  }
  const routes = new Map<string, Record<string, ActivityFn>>();
  const delivered = new DeliveryLog();
  const activities = Object.fromEntries(
    names.map((name) => [
      name,
      async (...args: unknown[]) => {
        const workflowId = Context.current().info.workflowExecution?.workflowId ?? '';
        for (const [orderId, served] of routes) {
          if (!workflowId.endsWith(orderId)) continue;
          delivered.record(orderId, name);
          return served[name](...args);
        }
        throw ApplicationFailure.nonRetryable(`no grading run serves ${workflowId}`, 'NotGraded');
      },
    ]),
  );
  const env = testEnv();
  const taskQueue = uniqueTaskQueue(`grade-${target.name}`);
  const workflowBundle = await lessonBundle(target.lessonDir, REPO_ROOT);
  const worker = await traced(
    'worker',
    Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      workflowBundle,
      activities,
      interceptors: { activity: [attemptInterceptor] },
    }),
  );
  const rig: Rig = {
    taskQueue,
    serve: (orderId, services) => {
      routes.set(orderId, createActivities(services));
      return () => {
        routes.delete(orderId);
        return delivered.attemptsRun(orderId);
      };
    },
  };
  return worker.runUntil(body(rig));
}
