/**
 * `npm run bench`: what Temporal costs for each shape of workflow, and what the kit adds on top.
 *
 * In one process, on one private dev server, with the same worker settings and the same orders:
 *   - the engine's floor: the lessons' shapes with no-op activities (scripts/bench/workflows.ts);
 *   - every lesson of the manifest with a solution, with faults off and with the lesson's faults;
 *   - every lesson's original (the monolith), the same way.
 * For each row: orders/s, p50/p95 order latency (start request → result), failed orders, retries (from
 * the ledger), history events per order, peak RSS of this process (the worker) and of the server.
 * Then the ratios that matter: each lesson against its floor, children against a flat workflow.
 *
 * Two more modes on the same machinery:
 *   --latency  the lessons with children (06 sequential, 07 parallel…) with the same orders, faults and
 *              simulated service latency (ORDER_LATENCY): what running children in parallel buys.
 *   --tuning   the parent-with-children floor under worker settings and shapes that are said to help
 *              when throughput matters, each against the default.
 */
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LESSON_IDS, LESSONS, orderWorkflowId, type LessonId } from '../common/lessons';
import type { LessonWorker, WorkerTuning } from '../common/worker';
import {
  createServices,
  FaultPlan,
  LatencyPlan,
  Ledger,
  parseSeed,
  REPO_ROOT,
  sampleBatch,
  type Order,
  type Services,
} from '../services';
import { originalOf } from '../common/kit/lesson-code';
import { builtCliPath, cliVersion, ensureTemporalCli } from '../common/kit/temporal-cli';
import { createFloorActivities } from './bench/activities';
import type { FloorShape } from './bench/workflows';
import { parseArgs, runMain, usage, UsageError } from './lib/args';
import { privateServer, runWorkflowBatch, type OrderRun, type ServerHandle } from './lib/temporal-run';

type Mode = 'main' | 'latency' | 'tuning';

/**
 * Per mode: enough orders to keep the machine busy for a while (the whole main run takes about 3
 * minutes on 2 idle cores), and enough in flight to saturate the worker. The latency mode keeps few
 * in flight instead: a saturated machine would measure its queue, not the order's own path.
 */
const DEFAULTS: Record<Mode, { orders: number; concurrency: number }> = {
  main: { orders: 150, concurrency: 50 },
  latency: { orders: 40, concurrency: 4 },
  tuning: { orders: 100, concurrency: 50 },
};
const DEFAULT_LATENCY = 'payment=300ms,inventory=400ms,shipping=200ms,notification=100ms';

const FLAGS = {
  orders: {
    type: 'int',
    min: 1,
    max: 10_000,
    description: `orders per row (default ${DEFAULTS.main.orders}; --latency ${DEFAULTS.latency.orders}; --tuning ${DEFAULTS.tuning.orders})`,
  },
  concurrency: {
    type: 'int',
    min: 1,
    max: 10_000,
    description: `orders in flight at once (default ${DEFAULTS.main.concurrency}; --latency ${DEFAULTS.latency.concurrency})`,
  },
  seed: { type: 'int', description: 'seed for the fault and latency draws (default ORDER_SEED or 1)' },
  only: { type: 'string', description: 'run only these rows: names separated by commas, * matches any text' },
  latency: {
    type: 'boolean',
    description: `lessons with children side by side under ORDER_LATENCY (default ${DEFAULT_LATENCY})`,
  },
  tuning: { type: 'boolean', description: 'the parent-with-children floor under worker settings and shapes' },
  repeat: {
    type: 'int',
    min: 1,
    max: 20,
    description: 'run every row this many times, in turns, and report the medians (default 1)',
  },
  json: { type: 'boolean', description: 'print one JSON document for programs, and no progress' },
} as const;

// ---------------------------------------------------------------------------------------------
// Rows

type RowKind = 'floor' | 'lesson' | 'original';

interface FloorWorkflow {
  workflowType: 'flatFloorWorkflow' | 'parentFloorWorkflow';
  shape: FloorShape;
}

interface RowSpec {
  /** What --only matches, e.g. `children-4`, `lesson-06-faults`, `original-02`. */
  name: string;
  what: string;
  kind: RowKind;
  lesson?: LessonId;
  floor?: FloorWorkflow;
  faults: FaultPlan;
  latency: LatencyPlan;
  tuning?: WorkerTuning;
  /** Run only this many of the orders (a long workflow per order), instead of all of them. */
  orders?: number;
  /** Also time how long replaying the first order's history takes (its last run, after continue-as-new). */
  replay?: boolean;
}

export interface RowResult {
  name: string;
  what: string;
  kind: RowKind;
  lesson?: LessonId;
  faults: string;
  latency: string;
  tuning?: WorkerTuning;
  orders: number;
  completed: number;
  failed: number;
  seconds: number;
  ordersPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  /** Service calls beyond the first per idempotency key, from the ledger (0 for the floor: no services). */
  retries: number;
  /** Events in the order's history plus its children's, averaged over the first orders; null for the monolith. */
  historyEventsPerOrder: number | null;
  /** CPU time this process (the worker, or the monolith) spent per order, in ms. */
  workerCpuMsPerOrder: number;
  /** CPU time the dev server spent per order, in ms; null for the monolith. */
  serverCpuMsPerOrder: number | null;
  /** Peak resident memory of this process (the worker, or the monolith) while the row ran. */
  workerPeakRssMiB: number;
  /** Peak resident memory of the dev server while the row ran; null for the monolith. */
  serverPeakRssMiB: number | null;
  /** With --repeat: each round's timings (the row's own figures are their medians). */
  rounds?: Pick<RowResult, 'ordersPerSecond' | 'p50Ms' | 'p95Ms' | 'workerCpuMsPerOrder' | 'serverCpuMsPerOrder'>[];
  /** Replaying the first order's history (its last run) in a replay worker, as after a cache eviction. */
  replay?: { events: number; ms: number };
}

export interface Ratio {
  name: string;
  of: string;
  to: string;
  /** of ÷ to, for orders/s. */
  throughput: number;
  p50: number;
  p95: number;
  /** of ÷ to, for history events per order, when both have them. */
  historyEvents?: number;
  /** of ÷ to, for CPU time per order (worker + server), when both ran on the server. */
  cpu?: number;
  /** For a lesson against its floor: the kit's target is ≥ 0.9 of the floor's orders/s. */
  target?: number;
}

const FLOOR_WORKER = {
  taskQueue: 'bench-floor',
  workflowsPath: require.resolve('./bench/workflows'),
  createActivities: () => createFloorActivities(),
};

function flat(steps: number): FloorWorkflow {
  return { workflowType: 'flatFloorWorkflow', shape: { steps } };
}

function parent(steps: number, activitiesPerChild = 1, parentActivities = 0): FloorWorkflow {
  return { workflowType: 'parentFloorWorkflow', shape: { steps, activitiesPerChild, parentActivities } };
}

function floorRow(
  name: string,
  what: string,
  floor: FloorWorkflow,
  tuning?: WorkerTuning,
  more: Pick<RowSpec, 'orders' | 'replay'> = {},
): RowSpec {
  return {
    name,
    what,
    kind: 'floor',
    floor,
    faults: FaultPlan.parse('none'),
    latency: LatencyPlan.none(),
    ...(tuning ? { tuning } : {}),
    ...more,
  };
}

/** The engine floor a lesson is measured against: its shape with nothing inside. */
function floorOf(lesson: LessonId): string {
  const children = LESSONS[lesson].children.length;
  return children > 0 ? `children-${children}` : 'flat-4';
}

/** The lessons whose solution is there (a lesson being written may be in the manifest before its files). */
function availableLessons(): { present: LessonId[]; missing: string[] } {
  const present: LessonId[] = [];
  const missing: string[] = [];
  for (const id of LESSON_IDS) {
    if (fs.existsSync(path.join(REPO_ROOT, 'solution', LESSONS[id].folder, 'worker.ts'))) present.push(id);
    else missing.push(`lesson ${id} (solution/${LESSONS[id].folder} is not there yet)`);
  }
  return { present, missing };
}

/** The fault plan a row runs with: ORDER_FAULTS when set, else the lesson's own rates. */
function lessonFaults(lesson: LessonId, seed: number): FaultPlan {
  return new FaultPlan(FaultPlan.fromEnv(LESSONS[lesson].defaultFaults).spec, seed);
}

function mainRows(seed: number, lessons: LessonId[]): RowSpec[] {
  const off = FaultPlan.parse('none', seed);
  const none = LatencyPlan.none();
  const rows: RowSpec[] = [];
  const floors: Record<string, RowSpec> = {
    'flat-4': floorRow('flat-4', '1 workflow, 4 no-op activities', flat(4)),
    'flat-5': floorRow('flat-5', '1 workflow, 5 no-op activities', flat(5)),
  };
  for (const id of lessons) {
    const n = LESSONS[id].children.length;
    if (n > 0) {
      floors[`children-${n}`] ??= floorRow(`children-${n}`, `parent + ${n} children, 1 no-op activity each`, parent(n));
      // The lessons' exact shape: their parent validates the order (one activity) before the children.
      floors[`children-${n}+1`] ??= floorRow(
        `children-${n}+1`,
        `parent with 1 no-op activity + ${n} children, 1 no-op activity each`,
        parent(n, 1, 1),
      );
    }
  }
  // Each floor runs right before the lessons measured against it, so both meet the same server state.
  const emitted = new Set<string>();
  const emitFloor = (name: string) => {
    if (emitted.has(name) || !floors[name]) return;
    emitted.add(name);
    rows.push(floors[name]);
  };
  for (const id of lessons) {
    if (LESSONS[id].children.length > 0) emitFloor('flat-5');
    emitFloor(floorOf(id));
    if (LESSONS[id].children.length > 0) emitFloor(`${floorOf(id)}+1`);
    const shape = LESSONS[id].children.length > 0 ? `parent + ${LESSONS[id].children.length} children` : '1 workflow';
    rows.push({
      name: `lesson-${id}`,
      what: `lesson ${id} solution (${shape})`,
      kind: 'lesson',
      lesson: id,
      faults: off,
      latency: none,
    });
    rows.push({
      name: `lesson-${id}-faults`,
      what: `lesson ${id} solution, with faults`,
      kind: 'lesson',
      lesson: id,
      faults: lessonFaults(id, seed),
      latency: none,
    });
  }
  for (const name of Object.keys(floors)) emitFloor(name);
  for (const id of lessons) {
    if (!fs.existsSync(path.join(REPO_ROOT, LESSONS[id].original))) continue;
    rows.push({
      name: `original-${id}`,
      what: `lesson ${id} original (monolith)`,
      kind: 'original',
      lesson: id,
      faults: off,
      latency: none,
    });
    rows.push({
      name: `original-${id}-faults`,
      what: `lesson ${id} original, with faults`,
      kind: 'original',
      lesson: id,
      faults: lessonFaults(id, seed),
      latency: none,
    });
  }
  return rows;
}

function latencyRows(seed: number, lessons: LessonId[], latency: LatencyPlan): RowSpec[] {
  const withChildren = lessons.filter((id) => LESSONS[id].children.length > 0);
  // The same faults for every lesson: ORDER_FAULTS when set, else the first lesson's rates.
  const faults = withChildren.length ? lessonFaults(withChildren[0], seed) : FaultPlan.parse('none', seed);
  return withChildren.map((id) => ({
    name: `lesson-${id}`,
    what: `lesson ${id} solution: ${LESSONS[id].title}`,
    kind: 'lesson' as const,
    lesson: id,
    faults,
    latency,
  }));
}

/** The settings and shapes tried when throughput matters, each on the parent-with-4-children floor. */
function tuningRows(): RowSpec[] {
  const base = parent(4);
  return [
    floorRow('default', 'children-4, SDK defaults (40 workflow task slots, 10+10 pollers)', base),
    floorRow('wft-slots-100', 'children-4, maxConcurrentWorkflowTaskExecutions 100', base, {
      maxConcurrentWorkflowTaskExecutions: 100,
    }),
    floorRow('wft-slots-10', 'children-4, maxConcurrentWorkflowTaskExecutions 10', base, {
      maxConcurrentWorkflowTaskExecutions: 10,
    }),
    floorRow('pollers-30', 'children-4, 30 workflow + 30 activity task pollers', base, {
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 30 },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 30 },
    }),
    floorRow('pollers-autoscaling', 'children-4, autoscaling pollers', base, {
      workflowTaskPollerBehavior: { type: 'autoscaling' },
      activityTaskPollerBehavior: { type: 'autoscaling' },
    }),
    floorRow('threads-2', 'children-4, workflowThreadPoolSize 2', base, { workflowThreadPoolSize: 2 }),
    floorRow('cache-50', 'children-4, maxCachedWorkflows 50 (evictions, replays)', base, {
      maxCachedWorkflows: 50,
      maxConcurrentWorkflowTaskExecutions: 40,
    }),
    floorRow('cache-off', 'children-4, maxCachedWorkflows 0 (every task replays)', base, { maxCachedWorkflows: 0 }),
    floorRow('children-2x2', 'parent + 2 children, 2 no-op activities each', parent(2, 2)),
    floorRow('flat-4', '1 workflow, 4 no-op activities', flat(4), undefined, { replay: true }),
    // Continue-as-new: one long workflow (1 order) in one history, then the same work in runs of 100.
    floorRow('long-500', '1 workflow, 500 no-op activities in one history (1 order)', flat(500), undefined, {
      orders: 1,
      replay: true,
    }),
    floorRow(
      'long-500-can-100',
      'the same 500 activities, continue-as-new every 100 (1 order, 5 runs; events: the last run)',
      { workflowType: 'flatFloorWorkflow', shape: { steps: 500, continueAsNewEvery: 100 } },
      undefined,
      { orders: 1, replay: true },
    ),
    // The default once more, last: how far the same settings drift within one run (the noise floor).
    floorRow('default-again', 'children-4, SDK defaults again, to see the run-to-run noise', base),
  ];
}

/** `--only a,b*`: the rows whose name matches, in the plan's order; an unknown name is an error. */
function selectRows(rows: RowSpec[], only: string | undefined): RowSpec[] {
  if (only === undefined) return rows;
  const patterns = only
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (patterns.length === 0) throw new UsageError('--only needs at least one row name');
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  for (const [i, re] of regexes.entries()) {
    if (!rows.some((r) => re.test(r.name))) {
      throw new UsageError(`--only: no row named "${patterns[i]}"; rows here: ${rows.map((r) => r.name).join(', ')}`);
    }
  }
  return rows.filter((r) => regexes.some((re) => re.test(r.name)));
}

// ---------------------------------------------------------------------------------------------
// Measuring

const MiB = 1024 * 1024;

function statusKiB(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resets the kernel's peak-RSS mark (VmHWM) of a process we own; false where that is not possible. */
function resetPeak(pid: number | 'self'): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU time a process has used so far, in ms (user + system, every thread), from /proc/<pid>/stat. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

interface MeterReading {
  workerMiB: number;
  serverMiB: number | null;
  workerCpuMs: number;
  serverCpuMs: number | null;
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * What one row costs this process (the worker, or the monolith) and the server: CPU time, which a busy
 * machine disturbs far less than wall time, and peak resident memory: the kernel's high-water mark,
 * reset at the start of the row (Linux), and sampled every 100 ms as a fallback elsewhere.
 */
class Meter {
  private timer?: NodeJS.Timeout;
  private selfMax = 0;
  private serverMax = 0;
  private selfReset = false;
  private serverReset = false;
  private selfCpu = 0;
  private serverCpu: number | undefined;

  constructor(private readonly serverPid?: number) {}

  start(): void {
    this.selfCpu = selfCpuMs();
    this.serverCpu = this.serverPid === undefined ? undefined : processCpuMs(this.serverPid);
    this.selfReset = resetPeak('self');
    this.serverReset = this.serverPid !== undefined && resetPeak(this.serverPid);
    this.selfMax = process.memoryUsage.rss();
    this.serverMax = this.serverRss();
    this.timer = setInterval(() => {
      this.selfMax = Math.max(this.selfMax, process.memoryUsage.rss());
      this.serverMax = Math.max(this.serverMax, this.serverRss());
    }, 100);
    this.timer.unref();
  }

  stop(): MeterReading {
    clearInterval(this.timer);
    const workerCpuMs = selfCpuMs() - this.selfCpu;
    const serverNow = this.serverPid === undefined ? undefined : processCpuMs(this.serverPid);
    const serverCpuMs = serverNow === undefined || this.serverCpu === undefined ? null : serverNow - this.serverCpu;
    const selfHwm = this.selfReset ? (statusKiB('self', 'VmHWM') ?? 0) * 1024 : 0;
    const serverHwm =
      this.serverReset && this.serverPid !== undefined ? (statusKiB(this.serverPid, 'VmHWM') ?? 0) * 1024 : 0;
    const worker = Math.max(this.selfMax, selfHwm);
    const server = Math.max(this.serverMax, serverHwm);
    return {
      workerMiB: worker / MiB,
      serverMiB: this.serverPid === undefined || server === 0 ? null : server / MiB,
      workerCpuMs,
      serverCpuMs,
    };
  }

  private serverRss(): number {
    return this.serverPid === undefined ? 0 : (statusKiB(this.serverPid, 'VmRSS') ?? 0) * 1024;
  }
}

/** Nearest-rank percentile of `values` (not empty). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Events in a workflow's history plus those of every child it started, recursively. */
async function historyEvents(client: Client, workflowId: string, runId?: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
  let total = events.length;
  for (const event of events) {
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (child?.workflowId) total += await historyEvents(client, child.workflowId, child.runId ?? undefined);
  }
  return total;
}

const HISTORY_SAMPLE = 5;

interface BenchContext {
  server: ServerHandle;
  client: Client;
  orders: Order[];
  concurrency: number;
  bundles: Map<string, Promise<WorkflowBundle>>;
  lessonWorkers: Map<LessonId, LessonWorker>;
  progress: (row: RowSpec, done: number, total: number) => void;
}

function bundleOf(ctx: BenchContext, workflowsPath: string): Promise<WorkflowBundle> {
  let bundle = ctx.bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('ERROR') });
    ctx.bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

function freshServices(row: RowSpec): Services {
  const file = path.join(REPO_ROOT, '.data', 'bench', `${row.name}.sqlite`);
  return createServices({ ledger: Ledger.openFresh(file), faults: row.faults, latency: row.latency });
}

function retriesOf(services: Services): number {
  return Object.values(services.ledger.audit().totals.retriesByStep).reduce((sum, n) => sum + n, 0);
}

function summarize(
  row: RowSpec,
  runs: { ok: boolean; latencyMs: number }[],
  seconds: number,
  extra: Pick<RowResult, 'retries' | 'historyEventsPerOrder'>,
  meter: MeterReading,
): RowResult {
  const latencies = runs.map((r) => r.latencyMs);
  const completed = runs.filter((r) => r.ok).length;
  return {
    name: row.name,
    what: row.what,
    kind: row.kind,
    ...(row.lesson ? { lesson: row.lesson } : {}),
    faults: row.faults.toString() || 'none',
    latency: row.latency.toString() || 'none',
    ...(row.tuning ? { tuning: row.tuning } : {}),
    orders: runs.length,
    completed,
    failed: runs.length - completed,
    seconds: round(seconds, 2),
    ordersPerSecond: round(runs.length / Math.max(seconds, 0.001), 1),
    p50Ms: Math.round(percentile(latencies, 50)),
    p95Ms: Math.round(percentile(latencies, 95)),
    ...extra,
    workerCpuMsPerOrder: round(meter.workerCpuMs / runs.length, 1),
    serverCpuMsPerOrder: meter.serverCpuMs === null ? null : round(meter.serverCpuMs / runs.length, 1),
    workerPeakRssMiB: Math.round(meter.workerMiB),
    serverPeakRssMiB: meter.serverMiB === null ? null : Math.round(meter.serverMiB),
  };
}

/**
 * One row from several rounds: the median of each timing (orders/s, latencies, CPU), the largest peak
 * memory; counts (failed, retries, events) are the same every round with seeded faults, so the first.
 */
function medianOf(rounds: RowResult[]): RowResult {
  if (rounds.length === 1) return rounds[0];
  const median = (pick: (r: RowResult) => number) => percentile(rounds.map(pick), 50);
  const maxOf = (pick: (r: RowResult) => number | null) => {
    const values = rounds.map(pick).filter((v): v is number => v !== null);
    return values.length ? Math.max(...values) : null;
  };
  return {
    ...rounds[0],
    seconds: median((r) => r.seconds),
    ordersPerSecond: median((r) => r.ordersPerSecond),
    p50Ms: median((r) => r.p50Ms),
    p95Ms: median((r) => r.p95Ms),
    workerCpuMsPerOrder: median((r) => r.workerCpuMsPerOrder),
    serverCpuMsPerOrder: rounds[0].serverCpuMsPerOrder === null ? null : median((r) => r.serverCpuMsPerOrder!),
    workerPeakRssMiB: maxOf((r) => r.workerPeakRssMiB)!,
    serverPeakRssMiB: maxOf((r) => r.serverPeakRssMiB),
    rounds: rounds.map((r) => ({
      ordersPerSecond: r.ordersPerSecond,
      p50Ms: r.p50Ms,
      p95Ms: r.p95Ms,
      workerCpuMsPerOrder: r.workerCpuMsPerOrder,
      serverCpuMsPerOrder: r.serverCpuMsPerOrder,
    })),
  };
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * How long a replay worker takes to replay `history` from its first event, as a worker does after a
 * cache eviction or a restart. The history is replayed twice and the second is timed (the first one
 * also pays for starting the replay worker).
 */
async function replayMs(bundle: WorkflowBundle, workflowId: string, history: temporal.api.history.v1.IHistory) {
  const times: number[] = [];
  let last = Date.now();
  const histories = [1, 2].map((i) => ({ workflowId: `${workflowId}-replay-${i}`, history }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    if (result.error) throw result.error;
    const now = Date.now();
    times.push(now - last);
    last = now;
  }
  return times[1];
}

async function runTemporalRow(ctx: BenchContext, row: RowSpec, memory: Meter): Promise<RowResult> {
  const services = freshServices(row);
  const orders = row.orders ? ctx.orders.slice(0, row.orders) : ctx.orders;
  try {
    let worker: Pick<LessonWorker, 'taskQueue' | 'workflowsPath' | 'createActivities'>;
    let workflowType: string;
    let workflowId: (order: Order) => string;
    let args: ((order: Order) => unknown[]) | undefined;
    if (row.floor) {
      const floor = row.floor;
      worker = FLOOR_WORKER;
      workflowType = floor.workflowType;
      workflowId = (order) => `bench-${row.name}-${order.orderId}`;
      args = (order) => [order, floor.shape];
    } else {
      const lesson = ctx.lessonWorkers.get(row.lesson!)!;
      const spec = LESSONS[row.lesson!];
      worker = lesson;
      workflowType = spec.workflowType;
      workflowId = (order) => orderWorkflowId(spec.id, order.orderId);
    }
    let reading: MeterReading | undefined;
    const batch = await runWorkflowBatch({
      server: ctx.server,
      services,
      orders,
      worker,
      workflow: { workflowType, workflowId, args },
      // A task queue of its own per row: nothing left over from the previous row can reach this worker.
      taskQueue: `bench-${row.name}`,
      concurrency: ctx.concurrency,
      workflowBundle: await bundleOf(ctx, worker.workflowsPath),
      tuning: row.tuning,
      beforeBatch: () => memory.start(),
      // Stop measuring at the last result, before the worker shuts down.
      afterBatch: async () => {
        reading = memory.stop();
      },
      onProgress: (done, total) => ctx.progress(row, done, total),
    });
    const sample = orders.slice(0, HISTORY_SAMPLE);
    const events = await Promise.all(sample.map((order) => historyEvents(ctx.client, workflowId(order))));
    let replay: RowResult['replay'];
    if (row.replay) {
      const history = await ctx.client.workflow.getHandle(workflowId(orders[0])).fetchHistory();
      const ms = await replayMs(await bundleOf(ctx, worker.workflowsPath), workflowId(orders[0]), history);
      replay = { events: history.events?.length ?? 0, ms };
    }
    const result = summarize(
      row,
      batch.runs.map((r: OrderRun<unknown>) => ({ ok: r.outcome.kind === 'completed', latencyMs: r.latencyMs })),
      batch.seconds,
      {
        retries: retriesOf(services),
        historyEventsPerOrder: Math.round(events.reduce((a, b) => a + b, 0) / events.length),
      },
      reading!,
    );
    return replay ? { ...result, replay } : result;
  } finally {
    services.close();
  }
}

type Monolith = (order: Order, services: Services) => Promise<{ status: 'completed' | 'failed' }>;

/** A lesson's original: its `runOrder(order, services, logger)`, with a logger that stays quiet. */
function loadOriginal(lesson: LessonId): Monolith {
  const runOrder = originalOf(lesson);
  const quiet = { warn: () => undefined };
  return (order, services) => runOrder(order, services, quiet);
}

async function runOriginalRow(ctx: BenchContext, row: RowSpec, memory: Meter): Promise<RowResult> {
  const monolith = loadOriginal(row.lesson!);
  const services = freshServices(row);
  try {
    const runs: { ok: boolean; latencyMs: number }[] = new Array(ctx.orders.length);
    let next = 0;
    let done = 0;
    memory.start();
    const started = Date.now();
    const lanes = Math.min(ctx.concurrency, ctx.orders.length);
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (next < ctx.orders.length) {
          const index = next++;
          const t0 = Date.now();
          const outcome = await monolith(ctx.orders[index], services);
          runs[index] = { ok: outcome.status === 'completed', latencyMs: Date.now() - t0 };
          ctx.progress(row, ++done, ctx.orders.length);
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const reading = memory.stop();
    return summarize(
      row,
      runs,
      seconds,
      { retries: retriesOf(services), historyEventsPerOrder: null },
      {
        ...reading,
        serverMiB: null,
        serverCpuMs: null,
      },
    );
  } finally {
    services.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Ratios and output

function ratio(name: string, of: RowResult, to: RowResult, target?: number): Ratio {
  return {
    name,
    of: of.name,
    to: to.name,
    throughput: round(of.ordersPerSecond / to.ordersPerSecond, 2),
    p50: round(of.p50Ms / Math.max(to.p50Ms, 1), 2),
    p95: round(of.p95Ms / Math.max(to.p95Ms, 1), 2),
    ...(of.historyEventsPerOrder !== null && to.historyEventsPerOrder !== null
      ? { historyEvents: round(of.historyEventsPerOrder / to.historyEventsPerOrder, 2) }
      : {}),
    ...(of.serverCpuMsPerOrder !== null && to.serverCpuMsPerOrder !== null
      ? {
          cpu: round(
            (of.workerCpuMsPerOrder + of.serverCpuMsPerOrder) / (to.workerCpuMsPerOrder + to.serverCpuMsPerOrder),
            2,
          ),
        }
      : {}),
    ...(target !== undefined ? { target } : {}),
  };
}

function mainRatios(results: RowResult[]): Ratio[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  const out: Ratio[] = [];
  for (const r of results) {
    if (r.kind !== 'lesson' || r.name !== `lesson-${r.lesson}`) continue;
    const floor = byName.get(floorOf(r.lesson!));
    if (floor) out.push(ratio(`lesson ${r.lesson} vs its floor ${floor.name}`, r, floor, 0.9));
    const exact = byName.get(`${floorOf(r.lesson!)}+1`);
    if (exact)
      out.push(ratio(`lesson ${r.lesson} vs ${exact.name} (its shape exactly: validate, then children)`, r, exact));
  }
  const flat4 = byName.get('flat-4');
  const flat5 = byName.get('flat-5');
  for (const r of results) {
    if (!/^children-\d+$/.test(r.name)) continue;
    if (flat4) out.push(ratio(`${r.name} vs flat-4 (children vs one workflow, same activities)`, r, flat4));
    if (flat5) out.push(ratio(`${r.name} vs flat-5 (lesson 06's five activities, flat)`, r, flat5));
  }
  return out;
}

function latencyRatios(results: RowResult[]): Ratio[] {
  const [first, ...others] = results;
  return others.map((r) => ratio(`lesson ${r.lesson} vs lesson ${first.lesson}`, r, first));
}

function tuningRatios(results: RowResult[]): Ratio[] {
  const base = results.find((r) => r.name === 'default');
  const long = results.find((r) => r.name === 'long-500');
  return results
    .filter((r) => r !== base && r !== long)
    .map((r) =>
      r.name.startsWith('long-')
        ? long && ratio(`${r.name} vs long-500 (the same work in one history)`, r, long)
        : base && ratio(`${r.name} vs default`, r, base),
    )
    .filter((r): r is Ratio => r !== undefined);
}

function table(results: RowResult[]): string {
  const head = [
    'row',
    'orders/s',
    'p50 ms',
    'p95 ms',
    'failed',
    'retries',
    'events',
    'worker CPU',
    'server CPU',
    'worker MiB',
    'server MiB',
  ];
  const body = results.map((r) => [
    r.name,
    r.ordersPerSecond.toFixed(1),
    String(r.p50Ms),
    String(r.p95Ms),
    String(r.failed),
    String(r.retries),
    r.historyEventsPerOrder === null ? '–' : String(r.historyEventsPerOrder),
    r.workerCpuMsPerOrder.toFixed(1),
    r.serverCpuMsPerOrder === null ? '–' : r.serverCpuMsPerOrder.toFixed(1),
    String(r.workerPeakRssMiB),
    r.serverPeakRssMiB === null ? '–' : String(r.serverPeakRssMiB),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const legend = results.map((r) => `  ${r.name.padEnd(widths[0])}  ${r.what}; faults ${r.faults}`);
  return [line(head), ...body.map(line), '', ...legend].join('\n');
}

function formatRatio(r: Ratio): string {
  const pct = `${Math.round(r.throughput * 100)} % of the orders/s`;
  const verdict =
    r.target === undefined ? '' : r.throughput >= r.target ? '  (target ≥ 90 %: met)' : '  (target ≥ 90 %: MISSED)';
  const events = r.historyEvents === undefined ? '' : `, ${r.historyEvents}× the history events`;
  const cpu = r.cpu === undefined ? '' : `, ${r.cpu}× the CPU time`;
  return `  ${r.name}: ${pct}, p50 ${r.p50}×, p95 ${r.p95}×${events}${cpu}${verdict}`;
}

function machine(cliPath: string) {
  const version = cliVersion(cliPath) ?? 'unknown version';
  const built = path.resolve(cliPath) === path.resolve(builtCliPath());
  return {
    cpus: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    temporalCli: `${version}${built ? ' (built from source, v1.5.1)' : ''}`,
    loadAverageAtStart: os.loadavg().map((n) => round(n, 2)),
  };
}

// ---------------------------------------------------------------------------------------------

function helpText(): string {
  const seed = 1;
  const { present } = availableLessons();
  const names = (rows: RowSpec[]) => rows.map((r) => r.name).join(', ');
  return [
    usage(
      'npm run bench --',
      'What Temporal costs per shape of workflow (the engine floor, no-op activities), what the lessons and the\n' +
        'originals cost on top, and the ratios; all in one process on one private dev server.',
      FLAGS,
    ),
    '',
    `Rows: ${names(mainRows(seed, present))}`,
    `Rows with --latency: ${names(latencyRows(seed, present, LatencyPlan.none())) || 'none'}`,
    `Rows with --tuning: ${names(tuningRows())}`,
    'Faults: ORDER_FAULTS when set (ORDER_FAULTS=none for none), else each lesson’s own rates.',
  ].join('\n');
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    console.log(helpText());
    return 0;
  }
  if (args.latency && args.tuning) throw new UsageError('--latency and --tuning are separate runs: pick one');
  const mode: Mode = args.latency ? 'latency' : args.tuning ? 'tuning' : 'main';
  const seed = args.seed ?? parseSeed(process.env.ORDER_SEED);
  const { present, missing } = availableLessons();
  const latency =
    mode === 'latency' ? LatencyPlan.parse(process.env.ORDER_LATENCY?.trim() || DEFAULT_LATENCY, seed) : undefined;
  const planned =
    mode === 'latency'
      ? latencyRows(seed, present, latency!)
      : mode === 'tuning'
        ? tuningRows()
        : mainRows(seed, present);
  const rows = selectRows(planned, args.only);
  const count = args.orders ?? DEFAULTS[mode].orders;
  const concurrency = args.concurrency ?? DEFAULTS[mode].concurrency;
  const repeat = args.repeat ?? 1;
  const orders = sampleBatch(count);
  const json = args.json === true;
  const say = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`);
  };

  const notes: string[] = [];
  if (mode !== 'latency' && process.env.ORDER_LATENCY?.trim()) {
    notes.push('ORDER_LATENCY is ignored here (the floor has no services to slow down); it applies with --latency.');
  }
  if (mode === 'latency') {
    const withChildren = rows.map((r) => r.lesson);
    for (const m of missing) notes.push(`${m}: not compared.`);
    if (withChildren.length < 2) notes.push('Only one lesson with children to run: nothing to compare it with yet.');
  } else if (mode === 'main') {
    for (const m of missing) notes.push(`${m}: no rows for it.`);
  }

  const cliPath = await ensureTemporalCli((line) => process.stderr.write(`${line}\n`));
  const server = await privateServer((line) => process.stderr.write(`${line}\n`));
  // Ctrl-C (or a test's SIGTERM) stops the private server too: it runs in a process group of its own.
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the dev server…\n`);
    void server.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const clientConnection = await Connection.connect({ address: server.address });
  const client = new Client({ connection: clientConnection, namespace: server.namespace });
  const results: RowResult[] = [];
  const startedAt = Date.now();
  try {
    const lessonWorkers = new Map<LessonId, LessonWorker>();
    for (const id of new Set(rows.filter((r) => r.kind === 'lesson').map((r) => r.lesson!))) {
      const mod = (await import(path.join(REPO_ROOT, 'solution', LESSONS[id].folder, 'worker'))) as {
        lessonWorker: LessonWorker;
      };
      lessonWorkers.set(id, mod.lessonWorker);
    }
    let current = 0;
    const interactive = process.stderr.isTTY && !json;
    const ctx: BenchContext = {
      server,
      client,
      orders,
      concurrency,
      bundles: new Map(),
      lessonWorkers,
      progress: (row, done, total) => {
        if (json) return;
        const text = `[${current}/${rows.length}] ${row.name}: ${done}/${total} orders`;
        if (interactive) process.stderr.write(`\r${text}${done === total ? '\n' : ''}`);
        else if (done === total || done % Math.max(1, Math.floor(total / 4)) === 0) say(text);
      },
    };
    say(
      `Bench (${mode}): ${count} orders per row, ${concurrency} in flight, seed ${seed}` +
        `${repeat > 1 ? `, ${repeat} rounds` : ''}` +
        `${latency ? `, latency ${latency.toString()}` : ''}; dev server ${server.address}`,
    );
    // Bundle every workflow module first, so no row pays for webpack.
    await Promise.all(
      [
        ...new Set(
          rows
            .filter((r) => r.kind !== 'original')
            .map((r) => (r.floor ? FLOOR_WORKER : lessonWorkers.get(r.lesson!)!).workflowsPath),
        ),
      ].map((p) => bundleOf(ctx, p)),
    );
    // A short untimed run first: a cold server and a cold worker would handicap the first row.
    if (rows.some((r) => r.kind !== 'original')) {
      say('warming up…');
      const warm = floorRow('warm-up', 'warm-up', parent(2));
      await runTemporalRow(
        { ...ctx, orders: sampleBatch(Math.min(20, count)), progress: () => undefined },
        warm,
        new Meter(),
      );
    }
    const memory = new Meter(server.devServer?.pid);
    const rounds = rows.map((): RowResult[] => []);
    for (let round = 1; round <= repeat; round++) {
      for (const [i, row] of rows.entries()) {
        current = i + 1;
        const result =
          row.kind === 'original' ? await runOriginalRow(ctx, row, memory) : await runTemporalRow(ctx, row, memory);
        rounds[i].push(result);
        say(
          `[${current}/${rows.length}${repeat > 1 ? `, round ${round}/${repeat}` : ''}] ${row.name}: ` +
            `${result.ordersPerSecond.toFixed(1)} orders/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ` +
            `${result.failed} failed`,
        );
      }
    }
    results.push(...rounds.map(medianOf));
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    await clientConnection.close();
    await server.stop();
  }

  const ratios =
    mode === 'latency' ? latencyRatios(results) : mode === 'tuning' ? tuningRatios(results) : mainRatios(results);
  const report = {
    mode,
    machine: machine(cliPath),
    settings: {
      orders: count,
      concurrency,
      repeat,
      seed,
      ...(latency ? { latency: latency.toString() } : {}),
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    },
    seconds: round((Date.now() - startedAt) / 1000, 1),
    rows: results,
    ratios,
    notes,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return 0;
  }
  const m = report.machine;
  console.log('');
  console.log(
    `Machine: ${m.cpus} cores, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, Temporal CLI ${m.temporalCli}; ` +
      `load average at start ${m.loadAverageAtStart.join(' ')}`,
  );
  console.log(
    `${count} orders per row, ${concurrency} in flight, seed ${seed}${latency ? `, latency ${latency.toString()}` : ''}` +
      `${repeat > 1 ? `, medians of ${repeat} rounds` : ''}; ` +
      'p50/p95: from start request to result; retries: from the ledger; events: history events per order, children\n' +
      'included; CPU: ms of CPU time per order (this process = the worker, and the dev server); MiB: peak RSS',
  );
  console.log('');
  console.log(table(results));
  if (ratios.length) {
    console.log('');
    console.log('Ratios:');
    for (const r of ratios) console.log(formatRatio(r));
  }
  const replays = results.filter((r) => r.replay);
  if (replays.length) {
    console.log('');
    console.log('Replaying one history from its first event (what a worker does after a cache eviction or a restart):');
    for (const r of replays) console.log(`  ${r.name}: ${r.replay!.events} events in ${r.replay!.ms} ms`);
  }
  for (const note of notes) console.log(`Note: ${note}`);
  console.log(`\n(${report.seconds} s in all)`);
  return 0;
}

if (require.main === module) runMain(main);
