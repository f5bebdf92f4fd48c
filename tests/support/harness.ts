/**
 * Helpers every Temporal test uses: a fresh ledger per test, a unique task queue per test, one
 * workflow bundle per workflows file for the whole run, and a worker that runs while a test body runs.
 */
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import { freshServices, workflowBundle } from '../../common/kit/scratch';
import { randomUUID } from 'node:crypto';
import { attemptInterceptor } from '../../common/worker';
import { testEnv } from '../../common/kit/server';
import { until } from '../../common/kit/wait';
import type { FaultPlan, LatencyPlan, Services } from '../../services';
import { missingAttempts } from './attempts';

export { freshLedgerPath, freshServices, workflowBundle } from '../../common/kit/scratch';

/** Runs `body` with services on a fresh ledger (with `faults` and `latency`, none by default), closed when it ends. */
export async function withFreshServices<T>(
  plans: { faults?: FaultPlan; latency?: LatencyPlan },
  body: (services: Services) => Promise<T>,
): Promise<T> {
  const services = freshServices(plans.faults, undefined, plans.latency);
  try {
    return await body(services);
  } finally {
    services.close();
  }
}

/** Waits until no service call is in flight any more (a fire-and-forget email, a warehouse still reserving). */
export async function settled(services: Services, timeoutMs = 30_000): Promise<void> {
  const inFlight = () => services.ledger.calls().some((c) => c.outcome === 'started');
  if (!(await until(() => !inFlight(), { timeoutMs, everyMs: 5 })))
    throw new Error(`a service call was still in flight after ${timeoutMs / 1000} s`);
}

/** `it`, with services on a fresh ledger (no faults) for its body, closed when the body ends. */
export function itWithServices(title: string, body: (services: Services) => Promise<void>): void {
  it(title, () => withFreshServices({}, body));
}

export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

export interface WorkerSpec {
  taskQueue: string;
  workflowsPath: string;
  activities?: object;
}

/** A worker for `spec` on the test server, with the attempt interceptor the fault plan reads. */
async function createWorker(spec: WorkerSpec): Promise<Worker> {
  const env = testEnv();
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: spec.taskQueue,
    workflowBundle: await workflowBundle(spec.workflowsPath),
    activities: spec.activities,
    interceptors: { activity: [attemptInterceptor] },
  });
}

/** Runs `body` while a worker polls `taskQueue` on the test server; the worker stops afterwards. */
export async function withWorker<T>(spec: WorkerSpec, body: () => Promise<T>): Promise<T> {
  const worker = await createWorker(spec);
  return worker.runUntil(body);
}

type ActivityFn = (input: unknown) => Promise<unknown>;

/** One activity task as a worker received it: which activity, which attempt, and when. */
export interface Delivery {
  activity: string;
  attempt: number;
  /** Date.now() when the worker began running it. */
  at: number;
}

/** Activity type → the attempt numbers a worker began, in the order it began them. */
export type AttemptsRun = Record<string, number[]>;

/**
 * The activity tasks a worker ran, per order: called from inside each activity as it begins, so an
 * attempt missing here never reached the worker. The shared test worker and the grader's worker keep one.
 */
export class DeliveryLog {
  private readonly byOrder = new Map<string, Delivery[]>();

  /** Notes the activity task running now (its attempt from the activity context) for `orderId`. */
  record(orderId: string, activity: string): void {
    const list = this.byOrder.get(orderId) ?? [];
    list.push({ activity, attempt: Context.current().info.attempt, at: Date.now() });
    this.byOrder.set(orderId, list);
  }

  /** The activity tasks of `orderId`, in the order the worker began them. */
  of(orderId: string, activity?: string): Delivery[] {
    return (this.byOrder.get(orderId) ?? []).filter((d) => activity === undefined || d.activity === activity);
  }

  /** For each activity of `orderId`, the attempt numbers the worker began. */
  attemptsRun(orderId: string): AttemptsRun {
    const ran: AttemptsRun = {};
    for (const d of this.of(orderId)) (ran[d.activity] ??= []).push(d.attempt);
    return ran;
  }

  orderIds(): string[] {
    return [...this.byOrder.keys()];
  }
}

const sharedWorkers: SharedWorker[] = [];

/**
 * Attempts the server counted but no shared worker ever ran (a gap in an activity's attempt numbers):
 * tasks lost on their way to the worker, which the server retried after their StartToClose timeout
 * (docs/concepts.md). One line per gap, e.g. `ORDER-no-ship-1a2b3c4d arrangeShipment attempt 2`.
 */
export function attemptsNeverRun(): string[] {
  const gaps: string[] = [];
  for (const { delivered } of sharedWorkers) {
    for (const orderId of delivered.orderIds()) {
      for (const [activity, attempts] of Object.entries(delivered.attemptsRun(orderId))) {
        for (const missing of missingAttempts(attempts)) gaps.push(`${orderId} ${activity} attempt ${missing}`);
      }
    }
  }
  return gaps;
}

/**
 * One worker for many orders, each with activities of its own. Creating a worker costs about half a
 * CPU-second (its workflow threads load the bundle), so the scenarios of a file share one: every
 * activity input names its order (`orderId`, or `order.orderId` for validateOrder), and each call goes
 * to the activities routed for that order. The worker runs while at least one scenario uses it.
 */
export class SharedWorker {
  readonly taskQueue: string;
  private readonly byOrder = new Map<string, Record<string, ActivityFn>>();
  readonly delivered = new DeliveryLog();
  private readonly activities: Record<string, ActivityFn>;
  private users = 0;
  private current?: Promise<{ worker: Worker; running: Promise<void> }>;
  private stopping?: Promise<void>;

  constructor(
    private readonly workflowsPath: string,
    activityNames: string[],
    label: string,
  ) {
    this.taskQueue = uniqueTaskQueue(label);
    sharedWorkers.push(this);
    this.activities = Object.fromEntries(
      activityNames.map((name) => [
        name,
        (input: unknown) => {
          const { orderId, order } = (input ?? {}) as { orderId?: string; order?: { orderId?: string } };
          const id = orderId ?? order?.orderId ?? '';
          const routed = this.byOrder.get(id)?.[name];
          if (!routed) throw new Error(`no ${name} routed for ${JSON.stringify(input).slice(0, 200)}`);
          this.delivered.record(id, name);
          return routed(input);
        },
      ]),
    );
  }

  /** From now on, `orderId`'s activity calls go to `activities`. */
  route(orderId: string, activities: object): void {
    this.byOrder.set(orderId, activities as Record<string, ActivityFn>);
  }

  /** A maker of unique order IDs (`ORDER-<label>-<random>`) whose activity calls go to `activities`. */
  orderIds(activities: object): (label: string) => string {
    return (label) => {
      const orderId = `ORDER-${label}-${randomUUID().slice(0, 8)}`;
      this.route(orderId, activities);
      return orderId;
    };
  }

  /** The activity tasks of `orderId` this worker has run, in the order it began them. */
  deliveries(orderId: string, activity?: string): Delivery[] {
    return this.delivered.of(orderId, activity);
  }

  /** Runs `body` while the worker polls `taskQueue` (started if need be, stopped after the last user). */
  async use<T>(body: () => Promise<T>): Promise<T> {
    this.users++;
    try {
      await this.start();
      return await body();
    } finally {
      if (--this.users === 0) await this.stop();
    }
  }

  private start(): Promise<unknown> {
    this.current ??= (async () => {
      // Never two workers on the queue: one that is shutting down could still take a new order's task
      // and drop it (the server would then wait out the task's timeout).
      await this.stopping;
      const worker = await createWorker({
        taskQueue: this.taskQueue,
        workflowsPath: this.workflowsPath,
        activities: this.activities,
      });
      const running = worker.run();
      running.catch(() => undefined); // reported by stop()
      return { worker, running };
    })();
    return this.current;
  }

  private stop(): Promise<void> {
    const current = this.current;
    this.current = undefined;
    if (!current) return Promise.resolve();
    const stopping = (async () => {
      const { worker, running } = await current;
      worker.shutdown();
      await running;
    })();
    this.stopping = stopping.catch(() => undefined);
    return stopping;
  }
}
