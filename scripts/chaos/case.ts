/**
 * What one case of `npm run chaos` is (the spec the case table fills in), what a run of it sees, and
 * what the case adds up to in the report.
 */
import type { Client } from '@temporalio/client';
import type { Audit, Ledger, Order } from '../../services';
import type { Lab } from './lab';

/** The lessons the matrix runs, each through its own worker entry point, as a learner starts it. */
export type ChaosLesson = '03' | '06' | '07';

export type Expected = 'COMPLETED' | 'FAILED' | 'ANY';

export interface CaseSpec {
  id: string;
  title: string;
  /** Whose worker runs the orders, and whose workflow IDs they get. */
  lesson: ChaosLesson;
  faults: string;
  /** ORDER_LATENCY for the case's workers (default none). */
  latency?: string;
  expected: Expected;
  /** Runs (the load case always has one). */
  runs?: number;
  /** Orders per run (default --orders). */
  orders?: number;
  /** What happens during a run, after its orders have started. */
  during?: (run: RunContext) => Promise<void>;
  /** Extra checks of one run, beyond the invariants every case has. */
  check?: (run: RunContext, audit: Audit) => string[] | Promise<string[]>;
  /** Replaces starting and following the orders (the re-run case drives its own). */
  drive?: (run: RunContext) => Promise<Map<string, string>>;
  /**
   * Runs `npm run reconcile`'s reconcile() once the orders have ended: orders that ended TERMINATED or
   * FORGOTTEN (by a server that lost its database) must then keep nothing, like failed ones.
   */
  reconcile?: boolean;
}

export interface RunContext {
  spec: CaseSpec;
  run: number;
  orders: Order[];
  client: Client;
  taskQueue: string;
  ledger: Ledger;
  lab: Lab;
  log: (line: string) => void;
  /** Notes for the case's lines under the table, e.g. what the kill cut off. */
  notes: string[];
  /** Counts a case's own checks read (the re-run case: how many re-runs were refused). */
  counts: Record<string, number>;
  /** When the server came back (the server case). */
  restartedAt?: number;
}

export interface CaseResult {
  id: string;
  title: string;
  faults: string;
  runs: number;
  passed: boolean;
  problems: string[];
  notes: string[];
  orders: number;
  completed: number;
  failed: number;
  charges: number;
  refunds: number;
  orphans: number;
  stuck: number;
  shippedUnpaid: number;
  /** Steps that arrived after their undo and were refused. */
  refusedLate: number;
  workerStarts: number;
  workerPeakMiB: number;
  serverPeakMiB: number;
  /** CPU time of all the case's workers, and of its server(s). */
  workerCpuSeconds: number;
  serverCpuSeconds: number;
  seconds: number;
}
