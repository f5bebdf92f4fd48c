/**
 * What every row runs with: the private server and its client, the orders, the workflow bundles built
 * once per run, the lessons' workers, and a fresh ledger per row.
 */
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';
import path from 'node:path';
import type { LessonId } from '../../common/lessons';
import type { LessonWorker } from '../../common/worker';
import { createServices, Ledger, REPO_ROOT, type Order, type Services } from '../../services';
import type { ServerHandle } from '../lib/temporal-run';
import { createFloorActivities } from './activities';
import type { RowSpec } from './rows';

export interface BenchContext {
  server: ServerHandle;
  client: Client;
  orders: Order[];
  concurrency: number;
  bundles: Map<string, Promise<WorkflowBundle>>;
  lessonWorkers: Map<LessonId, LessonWorker>;
  progress: (row: RowSpec, done: number, total: number) => void;
}

export type RowWorker = Pick<LessonWorker, 'taskQueue' | 'workflowsPath' | 'createActivities'>;

/** The worker for the floor's rows: the no-op workflows and their one no-op activity. */
const FLOOR_WORKER: RowWorker = {
  taskQueue: 'bench-floor',
  workflowsPath: require.resolve('./workflows'),
  createActivities: () => createFloorActivities(),
};

/** The worker a Temporal row runs on: the floor's, or its lesson's solution worker. */
export function workerOf(ctx: BenchContext, row: RowSpec): RowWorker {
  return row.floor ? FLOOR_WORKER : ctx.lessonWorkers.get(row.lesson!)!;
}

/** The workflow bundle of a workflows module, built once per run however many rows use it. */
export function bundleOf(ctx: BenchContext, workflowsPath: string): Promise<WorkflowBundle> {
  let bundle = ctx.bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
    ctx.bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

/** A row's own ledger, emptied first, so its retries are its own. */
export function freshServices(row: RowSpec): Services {
  const file = path.join(REPO_ROOT, '.data', 'bench', `${row.name}.sqlite`);
  return createServices({ ledger: Ledger.openFresh(file), faults: row.faults, latency: row.latency });
}

export function retriesOf(services: Services): number {
  return Object.values(services.ledger.audit().totals.retriesByStep).reduce((sum, n) => sum + n, 0);
}
