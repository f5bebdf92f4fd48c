/**
 * Reconciliation, the last line of defence payment systems run: find every order whose workflow
 * Temporal no longer runs (terminated, cancelled, timed out, failed, forgotten by the server, never
 * started) but which left a charge, a reservation or a shipment behind, and undo it.
 *
 * The undo is Temporal work, not a write to the ledger: an in-process worker on its own task queue runs
 * one `reconcileOrderWorkflow` per order (ID `reconcile-<orderId>`), which calls the services with the
 * original steps' keys, newest first. The services are idempotent by key, so a second run changes
 * nothing, and an undo that finds nothing makes a late step with that key be refused.
 *
 * An order whose workflow is running or completed (for any lesson of the manifest: they share order IDs)
 * is never touched: a running order's own saga undoes what it must, and a completed order keeps what it paid for.
 */
import { WorkflowNotFoundError, type Client, type Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { createServices, FaultPlan, LatencyPlan, type Ledger } from '../../services';
import { mapLimited } from '../kit/limit';
import { LESSON_IDS, orderWorkflowId, type LessonId } from '../lessons';
import { attemptInterceptor } from '../worker';
import { createReconcileActivities } from './activities';
import { formatOrder } from './format';
import { ordersToExamine, type KeyState, type OrderLeftovers } from './plan';
import {
  RECONCILE_TASK_QUEUE,
  RECONCILE_WORKFLOW_TYPE,
  reconcileWorkflowId,
  undoKeyOf,
  type ForwardStep,
  type ReconcileInput,
  type ReconcileOutput,
  type UndoResult,
} from './shared';

export * from './shared';
export { formatOrder, formatSummary, formatAuditLine, formatNothingToDo } from './format';
export type { KeyState } from './plan';

export interface ReconcileOptions {
  /** A client of the server the orders ran on (common/connection.ts `connectClient`). */
  client: Client;
  /** The ledger the orders wrote to: read to plan; written only by the undo activities, through the services. */
  ledger: Ledger;
  /**
   * The worker's connection to the same server, or how to open one (`() => connectWorker(settings)`;
   * opened only when there is something to undo, and closed afterwards). Not needed for a dry run.
   */
  connection?: NativeConnection | (() => Promise<NativeConnection>);
  /**
   * Whose orders the ledger holds: each lesson has its own ledger by default, so its orders are judged by
   * that lesson's workflows only. Default: every lesson (an order is left alone when any of them runs or
   * completed it).
   */
  lessons?: readonly LessonId[];
  /** List what would be done; change nothing, start no worker. */
  dryRun?: boolean;
  /** Default `reconcile`. */
  taskQueue?: string;
  /** A pre-built bundle of common/reconcile/workflows.ts; by default the worker bundles it. */
  workflowBundle?: WorkflowBundleOption;
  /** Faults and latency of the services the undos call. Default: none. */
  faults?: FaultPlan;
  latency?: LatencyPlan;
  /** How the server is named in "not found on <address>" (default: the client connection's address). */
  address?: string;
  /** Gets one line per order (acted on, then skipped) as soon as it is settled, by order ID. */
  log?: (line: string) => void;
}

/** How an order's workflow ended, per distinct workflow ID of the lessons (06 and 07 share `order-<id>`). */
export interface WorkflowSeen {
  workflowId: string;
  /** The server's status (`TERMINATED`, `FAILED` …), or `NOT_FOUND`. */
  status: string;
}

export interface UndoReport extends Omit<UndoResult, 'outcome'> {
  /** What the ledger showed before: `live` (an effect to undo), `undone` (already undone), `absent` (nothing landed). */
  before: KeyState['state'];
  /**
   * `planned` in a dry run; otherwise what was done. `already undone`: the ledger showed it undone
   * before the run (its undo ran again and changed nothing).
   */
  outcome: UndoResult['outcome'] | 'planned' | 'already undone';
  trackingNumber?: string;
}

export interface OrderReport {
  orderId: string;
  workflows: WorkflowSeen[];
  /** `order-ORDER-107 terminated`, or `not found on 127.0.0.1:7233`. */
  ended: string;
  /** The reconcile workflow that did it (absent in a dry run). */
  reconcileWorkflowId?: string;
  undos: UndoReport[];
}

export interface SkippedOrder {
  orderId: string;
  workflows: WorkflowSeen[];
  /** `order-ORDER-110 is running: its own saga undoes what it must`. */
  reason: string;
}

export interface AuditCounts {
  orphanedCharges: number;
  orphanedCents: number;
  stuckReservations: number;
  stuckUnits: number;
  shippedUnpaid: number;
}

export interface ReconcileResult {
  dryRun: boolean;
  ledger: string;
  address: string;
  namespace: string;
  /** Orders acted on (or, in a dry run, that would be). */
  orders: OrderReport[];
  /** Orders with leftovers that were left alone, and why. */
  skipped: SkippedOrder[];
  totals: {
    refunds: number;
    refundedCents: number;
    releases: number;
    releasedUnits: number;
    shipmentsCancelled: number;
    failed: number;
  };
  /** The audit before the run, and after it (the same as before in a dry run). */
  auditBefore: AuditCounts;
  auditAfter: AuditCounts;
}

const LIVE_STATUSES = new Set(['RUNNING', 'COMPLETED', 'CONTINUED_AS_NEW', 'PAUSED', 'UNSPECIFIED', 'UNKNOWN']);

/** `terminated`, `timed out`, `continued as new`. */
function endedWord(status: string): string {
  return status.toLowerCase().replace(/_/g, ' ');
}

function auditCounts(ledger: Ledger): AuditCounts {
  const audit = ledger.audit();
  return {
    orphanedCharges: audit.orphanedCharges.length,
    orphanedCents: audit.totals.orphanedCents,
    stuckReservations: audit.stuckReservations.length,
    stuckUnits: audit.stuckReservations.reduce((sum, r) => sum + r.itemCount, 0),
    shippedUnpaid: audit.shippedUnpaid.length,
  };
}

/** The workflow of each of `lessons` for the order, described once per distinct workflow ID. */
async function workflowsOf(client: Client, orderId: string, lessons: readonly LessonId[]): Promise<WorkflowSeen[]> {
  const ids = [...new Set(lessons.map((lesson) => orderWorkflowId(lesson, orderId)))];
  return Promise.all(
    ids.map(async (workflowId) => {
      try {
        const description = await client.workflow.getHandle(workflowId).describe();
        return { workflowId, status: description.status.name as string };
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return { workflowId, status: 'NOT_FOUND' };
        throw err;
      }
    }),
  );
}

function reportOf(order: OrderLeftovers, workflows: WorkflowSeen[], address: string): OrderReport {
  const found = workflows.filter((w) => w.status !== 'NOT_FOUND');
  return {
    orderId: order.orderId,
    workflows,
    ended: found.length
      ? found.map((w) => `${w.workflowId} ${endedWord(w.status)}`).join(', ')
      : `not found on ${address}`,
    undos: order.keys.map((k) => ({
      step: k.step,
      key: k.key,
      undoKey: undoKeyOf(k.step, k.key),
      before: k.state,
      outcome: 'planned',
      ...(k.amountCents ? { amountCents: k.amountCents } : {}),
      ...(k.itemCount ? { itemCount: k.itemCount } : {}),
      ...(k.trackingNumber ? { trackingNumber: k.trackingNumber } : {}),
    })),
  };
}

function skipReason(workflows: WorkflowSeen[]): string | undefined {
  const alive = workflows.find((w) => LIVE_STATUSES.has(w.status));
  if (!alive) return undefined;
  if (alive.status === 'COMPLETED') return `${alive.workflowId} completed: a completed order keeps what it paid for`;
  if (alive.status === 'RUNNING') return `${alive.workflowId} is running: its own saga undoes what it must`;
  return `${alive.workflowId} is ${endedWord(alive.status)}: Temporal still owns it`;
}

/** The workflow's result merged into the plan: a key that had already been undone stays `undone` in the report. */
function merge(report: OrderReport, output: ReconcileOutput, workflowId: string): OrderReport {
  const undos = report.undos.map((planned) => {
    const done = output.undos.find((u) => u.step === planned.step && u.key === planned.key);
    if (!done) return planned;
    const { trackingNumber, before } = planned;
    return {
      ...done,
      before,
      ...(trackingNumber ? { trackingNumber } : {}),
      // What the ledger showed before decides what to report: a refund of a charge refunded long ago
      // answers `refunded`, but changed nothing today.
      ...(done.outcome !== 'failed' && before === 'undone' ? { outcome: 'already undone' as const } : {}),
    };
  });
  return { ...report, reconcileWorkflowId: workflowId, undos };
}

function totalsOf(orders: OrderReport[]): ReconcileResult['totals'] {
  const totals = { refunds: 0, refundedCents: 0, releases: 0, releasedUnits: 0, shipmentsCancelled: 0, failed: 0 };
  for (const undo of orders.flatMap((o) => o.undos)) {
    const counts = undo.outcome === 'undone' || (undo.outcome === 'planned' && undo.before === 'live');
    if (undo.outcome === 'failed') totals.failed++;
    if (!counts) continue;
    const step: ForwardStep = undo.step;
    if (step === 'payment') {
      totals.refunds++;
      totals.refundedCents += undo.amountCents ?? 0;
    } else if (step === 'inventory') {
      totals.releases++;
      totals.releasedUnits += undo.itemCount ?? 0;
    } else {
      totals.shipmentsCancelled++;
    }
  }
  return totals;
}

/**
 * Finds what orders Temporal no longer runs left behind, and (unless `dryRun`) undoes it through
 * Temporal. Never touches an order whose workflow, in any lesson, is running or completed.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileResult> {
  const { client, ledger } = options;
  const log = options.log ?? (() => undefined);
  const address =
    options.address ?? (client.connection as Partial<Connection>).options?.address ?? 'the Temporal server';
  const namespace = client.options.namespace;
  const auditBefore = auditCounts(ledger);
  const examined = ordersToExamine(ledger.audit(), ledger.calls());

  // Which orders Temporal still owns: describe each, a few at a time.
  const seen = await mapLimited(examined, 16, (order) =>
    workflowsOf(client, order.orderId, options.lessons ?? LESSON_IDS),
  );
  const skipped: SkippedOrder[] = [];
  const plans: { order: OrderLeftovers; report: OrderReport }[] = [];
  examined.forEach((order, i) => {
    const reason = skipReason(seen[i]);
    if (reason) skipped.push({ orderId: order.orderId, workflows: seen[i], reason });
    else plans.push({ order, report: reportOf(order, seen[i], address) });
  });

  const result = (orders: OrderReport[]): ReconcileResult => ({
    dryRun: options.dryRun === true,
    ledger: ledger.path,
    address,
    namespace,
    orders,
    skipped,
    totals: totalsOf(orders),
    auditBefore,
    auditAfter: options.dryRun ? auditBefore : auditCounts(ledger),
  });
  const logSkipped = () => skipped.forEach((s) => log(formatOrder(s, { dryRun: options.dryRun })));

  if (options.dryRun || plans.length === 0) {
    plans.forEach((p) => log(formatOrder(p.report, { dryRun: true })));
    logSkipped();
    return result(plans.map((p) => p.report));
  }

  if (!options.connection) throw new Error('reconcile: a worker connection is needed to undo anything');
  const ownConnection = typeof options.connection === 'function';
  const connection = typeof options.connection === 'function' ? await options.connection() : options.connection;
  try {
    const taskQueue = options.taskQueue ?? RECONCILE_TASK_QUEUE;
    const services = createServices({
      ledger,
      faults: options.faults ?? FaultPlan.none(),
      latency: options.latency ?? LatencyPlan.none(),
    });
    const worker = await Worker.create({
      connection,
      namespace,
      taskQueue,
      ...(options.workflowBundle
        ? { workflowBundle: options.workflowBundle }
        : { workflowsPath: require.resolve('./workflows') }),
      activities: createReconcileActivities(services),
      interceptors: { activity: [attemptInterceptor] },
    });
    const orders = await worker.runUntil(async () => {
      // Start them all (a few at a time), then report each, by order ID, as it ends.
      const handles = await mapLimited(plans, 16, ({ order, report }) => {
        const input: ReconcileInput = {
          orderId: order.orderId,
          undos: report.undos.map(({ step, key, undoKey }) => ({ step, key, undoKey })),
        };
        return client.workflow.start(RECONCILE_WORKFLOW_TYPE, {
          taskQueue,
          workflowId: reconcileWorkflowId(order.orderId),
          args: [input],
          // A finished reconcile of the order may run again (an undo that failed is tried again); one
          // still running (another run, or one cut off) is joined, not started twice.
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
      });
      const reports: OrderReport[] = [];
      for (const [i, handle] of handles.entries()) {
        const output = (await handle.result()) as ReconcileOutput;
        const report = merge(plans[i].report, output, handle.workflowId);
        log(formatOrder(report, { dryRun: false }));
        reports.push(report);
      }
      return reports;
    });
    logSkipped();
    return result(orders);
  } finally {
    if (ownConnection) await connection.close();
  }
}
