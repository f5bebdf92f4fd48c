/**
 * The part of every lesson's worker that is the same for all of them: open the outside world (the
 * ledger at LEDGER_PATH, faults from ORDER_FAULTS / ORDER_SEED), connect to Temporal (common/connection),
 * run a worker on the lesson's task queue until Ctrl-C, and say clearly what went wrong when it cannot.
 *
 * A lesson's worker.ts writes its own Worker.create out in full, as a project would, with the pieces
 * here (the outside world, the attempt interceptor, the log), and exports `lessonWorker`: its task queue,
 * workflows and activities, which the kit's tools (`npm run worker`, the grader, the tests) run with
 * `serveLesson` and `createLessonWorker`.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import type { LogEntry, LogLevel, WorkerOptions } from '@temporalio/worker';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { createServices, FaultPlan, LatencyPlan, ledgerPathFromEnv, runWithAttempt, type Services } from '../services';
import { connectWorker, temporalSettings, type TemporalSettings } from './connection';
import { openLedger } from './ledger';
import { runMain } from './cli';
import { LESSONS, type LessonId } from './lessons';

export interface LessonWorker {
  lesson: LessonId;
  taskQueue: string;
  /** The lesson's workflows module (bundled for the workflow sandbox). */
  workflowsPath: string;
  createActivities: (services: Services) => object;
  /** Worker options of the lesson's own: lesson 08's Worker Versioning settings for its build. */
  workerOptions?: Pick<WorkerOptions, 'workerDeploymentOptions'>;
  /** One more line for the worker's ready message, e.g. lesson 08's `build v1 (workflows/v1.ts)`. */
  about?: string;
}

/**
 * Tells the simulated services which attempt of its activity each call is (Temporal's count), so the
 * fault plan's `first:N` and `after:N` follow the retry policy exactly, even across worker crashes.
 */
export const attemptInterceptor: ActivityInterceptorsFactory = (ctx) => ({
  inbound: { execute: (input, next) => runWithAttempt(ctx.info.attempt, () => next(input)) },
});

/** Worker knobs a measurement may turn (`npm run bench -- --tuning`); everything else stays as below. */
export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxCachedWorkflows'
  | 'workflowTaskPollerBehavior'
  | 'activityTaskPollerBehavior'
  | 'reuseV8Context'
  | 'workflowThreadPoolSize'
>;

/** A worker for `lesson` on an existing connection: what tests, batch runs and `runWorker` share. */
export function createLessonWorker(
  lesson: Pick<LessonWorker, 'taskQueue' | 'workflowsPath' | 'createActivities' | 'workerOptions'>,
  options: {
    connection: NativeConnection;
    namespace: string;
    services: Services;
    taskQueue?: string;
    /** A pre-built bundle (tests bundle once per run); otherwise the workflows are bundled here. */
    workflowBundle?: WorkerOptions['workflowBundle'];
    identity?: string;
    /** Defaults when absent: the SDK's, which is what every lesson runs with. */
    tuning?: WorkerTuning;
  },
): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue ?? lesson.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: lesson.workflowsPath }),
    activities: lesson.createActivities(options.services),
    interceptors: { activity: [attemptInterceptor] },
    ...lesson.workerOptions,
    ...(options.identity ? { identity: options.identity } : {}),
    ...options.tuning,
  });
}

/** The outside world as the environment describes it: LEDGER_PATH, ORDER_FAULTS, ORDER_SEED, ORDER_LATENCY. */
export function servicesFromEnv(lesson: LessonId, env: NodeJS.ProcessEnv = process.env): Services {
  const faults = FaultPlan.fromEnv(LESSONS[lesson].defaultFaults, env);
  const latency = LatencyPlan.fromEnv(env);
  return createServices({ ledger: openLedger(ledgerPathFromEnv(env, lesson)), faults, latency });
}

let loggingInstalled = false;

/**
 * The SDK's log, kept to what a person needs: `level` and above, and the same message at most once per
 * 30 s. (A worker that lost its server otherwise prints thousands of identical poll errors a minute.)
 * Fixed for the process when the first worker or server starts: call it before either.
 */
export function installWorkerLogging(level: LogLevel = 'WARN', write: (line: string) => void = defaultWrite): void {
  if (loggingInstalled) return;
  loggingInstalled = true;
  const windowMs = 30_000;
  const seen = new Map<string, { at: number; suppressed: number }>();
  const log = (entry: LogEntry) => {
    const line = `${entry.message}${logDetail(entry.meta)}`;
    const key = `${entry.level} ${line}`;
    const now = Date.now();
    const last = seen.get(key);
    if (last && now - last.at < windowMs) {
      last.suppressed++;
      return;
    }
    const repeats = last?.suppressed ? ` (and ${last.suppressed} more like it in the last ${windowMs / 1000} s)` : '';
    seen.set(key, { at: now, suppressed: 0 });
    if (seen.size > 1000) seen.clear();
    write(`${new Date(now).toISOString()} [${entry.level}] ${line}${repeats}`);
  };
  Runtime.install({
    logger: new DefaultLogger(level, log),
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: level, other: level }) } },
  });
}

/**
 * What a log line is about and why, from the SDK's metadata: `(alwaysFails, attempt 3, doc-default-retry):
 * payment gateway timeout`. Without it "Failing workflow task" would not say which error.
 */
function logDetail(meta: LogEntry['meta']): string {
  if (!meta) return '';
  const where = [meta.activityType ?? meta.workflowType, meta.attempt && `attempt ${meta.attempt}`, meta.workflowId]
    .filter((part) => typeof part === 'string' && part !== '')
    .join(', ');
  const error = meta.error as { message?: unknown } | undefined;
  const why =
    typeof error?.message === 'string'
      ? error.message
      : typeof meta.failure === 'string'
        ? /message: "((?:[^"\\]|\\.)*)"/.exec(meta.failure)?.[1]
        : undefined;
  return `${where ? ` (${where})` : ''}${why ? `: ${why.split('\n')[0]}` : ''}`;
}

function defaultWrite(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Runs `lesson`'s worker until Ctrl-C (SIGINT) or SIGTERM, then finishes what is in flight and stops.
 * What `npx ts-node solution/<lesson>/worker.ts` and `npm run worker` do.
 */
export async function serveLesson(
  lesson: LessonWorker,
  options: { label?: string; taskQueue?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  const env = options.env ?? process.env;
  // Settings and the ledger first: a bad value then fails before the SDK's runtime exists.
  const settings: TemporalSettings = temporalSettings(env);
  const services = servicesFromEnv(lesson.lesson, env);
  installWorkerLogging('WARN');
  const taskQueue = options.taskQueue?.trim() || env.TASK_QUEUE?.trim() || lesson.taskQueue;
  let connection: NativeConnection | undefined;
  try {
    connection = await connectWorker(settings);
    const worker = await createLessonWorker(lesson, { connection, namespace: settings.namespace, services, taskQueue });
    const label = options.label ?? `Lesson ${lesson.lesson}`;
    console.log(`${label} worker polling "${taskQueue}" on ${settings.address} (namespace ${settings.namespace})`);
    console.log(`  ledger ${services.ledger.path}; ${services.faults.describe()}${services.latency.describe()}`);
    if (lesson.about) console.log(`  ${lesson.about}`);
    await worker.run();
  } finally {
    await connection?.close();
    services.close();
  }
}

/**
 * `serveLesson` as a command: expected problems (no server, a bad setting, an unwritable ledger, a bad
 * ORDER_FAULTS) end it with one line and exit code 2, never a stack trace.
 */
export function runWorker(lesson: LessonWorker, options: { label?: string; taskQueue?: string } = {}): void {
  runMain(() => serveLesson(lesson, options));
}
