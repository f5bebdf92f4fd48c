/**
 * The ledger: one SQLite file that records everything the outside world did.
 *
 * It is the ground truth the kit checks against: who was charged and refunded, what stock is
 * reserved or released, what shipped, which emails went out, and every call each service received
 * (so tests can count attempts). Several processes (worker, client, `npm run ledger`) may open the
 * same file; WAL mode and a busy timeout let them.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import fs from 'node:fs';
import path from 'node:path';
import { LedgerError } from './errors';
import { CATALOG } from './orders';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const DEFAULT_LEDGER_PATH = path.join(REPO_ROOT, '.data', 'ledger.sqlite');

/**
 * Each lesson's own ledger by default, `.data/lesson-06.sqlite`: lessons share order IDs (ORDER-001) and
 * step names, so on one ledger lesson 02's calls would spend lesson 06's faulted attempts, and one
 * lesson's orphans would sit in every other lesson's audit.
 */
export function defaultLedgerPath(lesson?: string): string {
  return lesson ? path.join(REPO_ROOT, '.data', `lesson-${lesson}.sqlite`) : DEFAULT_LEDGER_PATH;
}

/** LEDGER_PATH when set, else the lesson's default ledger (see defaultLedgerPath). */
export function ledgerPathFromEnv(env: NodeJS.ProcessEnv = process.env, lesson?: string): string {
  const value = env.LEDGER_PATH?.trim();
  return value ? path.resolve(value) : defaultLedgerPath(lesson);
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stock (
  sku TEXT PRIMARY KEY,
  on_hand INTEGER NOT NULL CHECK (on_hand >= 0)
);
CREATE TABLE IF NOT EXISTS calls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  step TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  order_id TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT
);
CREATE INDEX IF NOT EXISTS calls_by_key ON calls (step, idem_key);
CREATE TABLE IF NOT EXISTS charges (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  charge_id TEXT NOT NULL UNIQUE,
  idem_key TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  amount_cents INTEGER NOT NULL CHECK (amount_cents > 0)
);
CREATE TABLE IF NOT EXISTS refunds (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  refund_id TEXT NOT NULL UNIQUE,
  idem_key TEXT NOT NULL UNIQUE,
  charge_id TEXT NOT NULL UNIQUE REFERENCES charges (charge_id),
  order_id TEXT NOT NULL,
  amount_cents INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS reservations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  reservation_id TEXT NOT NULL UNIQUE,
  idem_key TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  items_json TEXT NOT NULL,
  item_count INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS releases (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  idem_key TEXT NOT NULL UNIQUE,
  reservation_id TEXT NOT NULL UNIQUE REFERENCES reservations (reservation_id),
  order_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shipments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  shipment_id TEXT NOT NULL UNIQUE,
  idem_key TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  tracking_number TEXT NOT NULL,
  carrier TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shipment_cancellations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  idem_key TEXT NOT NULL UNIQUE,
  shipment_id TEXT NOT NULL UNIQUE REFERENCES shipments (shipment_id),
  order_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fences (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  step TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  undo_key TEXT NOT NULL,
  order_id TEXT NOT NULL,
  UNIQUE (step, idem_key)
);
CREATE TABLE IF NOT EXISTS disputes (
  charge_id TEXT PRIMARY KEY REFERENCES charges (charge_id),
  order_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notifications (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  notification_id TEXT NOT NULL UNIQUE,
  idem_key TEXT NOT NULL UNIQUE,
  order_id TEXT NOT NULL,
  email TEXT NOT NULL,
  subject TEXT NOT NULL
);
`;

/** The outcome of a call that arrived after its undo had fenced its key (see FenceRow). */
export const REFUSED_LATE = 'refused-late';

export interface ChargeRow {
  chargeId: string;
  key: string;
  orderId: string;
  amountCents: number;
}
export interface RefundRow {
  refundId: string;
  key: string;
  chargeId: string;
  orderId: string;
  amountCents: number;
}
export interface ReservationRow {
  reservationId: string;
  key: string;
  orderId: string;
  items: { sku: string; quantity: number }[];
  itemCount: number;
}
export interface ReleaseRow {
  key: string;
  reservationId: string;
  orderId: string;
}
export interface ShipmentRow {
  shipmentId: string;
  key: string;
  orderId: string;
  trackingNumber: string;
  carrier: string;
  cancelled: boolean;
}
export interface NotificationRow {
  notificationId: string;
  key: string;
  orderId: string;
  email: string;
  subject: string;
}
/**
 * An undo that ran before its step had landed: the step's key is fenced, so the step, arriving late,
 * is refused (a cancelled payment intent cannot be captured, a released hold cannot be taken).
 */
export interface FenceRow {
  /** The forward step whose key is fenced: payment, inventory or shipping. */
  step: string;
  key: string;
  /** The idempotency key of the undo that fenced it. */
  undoKey: string;
  orderId: string;
}
export interface CallRow {
  step: string;
  key: string;
  orderId: string;
  attempt: number;
  outcome: string;
  detail: string | null;
}

export interface Audit {
  charges: ChargeRow[];
  refunds: RefundRow[];
  reservations: ReservationRow[];
  releases: ReleaseRow[];
  shipments: ShipmentRow[];
  notifications: NotificationRow[];
  fences: FenceRow[];
  /** Forward calls that arrived after their undo had fenced their key, and were refused. */
  refusedLateCalls: CallRow[];
  /** Charged, not refunded, and nothing shipped for that order: the customer paid for nothing. */
  orphanedCharges: ChargeRow[];
  /** Reserved, not released, and nothing shipped for that order: stock locked for nobody. */
  stuckReservations: ReservationRow[];
  /** Shipped (not cancelled) for an order with no live charge: goods given away. */
  shippedUnpaid: ShipmentRow[];
  /**
   * Confirmation emails ("your order has shipped") for an order with no live shipment: the customer was
   * told about an order that failed. Code that emails before the order is done sends them.
   */
  emailsForFailedOrders: NotificationRow[];
  totals: {
    chargedCents: number;
    refundedCents: number;
    orphanedCents: number;
    /** Calls beyond the first, per step: what retries cost. */
    retriesByStep: Record<string, number>;
    callsByStep: Record<string, number>;
  };
}

/**
 * Node's built-in SQLite (`node:sqlite`): nothing to compile on install, nothing native to crash at
 * exit. On Node 22 loading it prints "ExperimentalWarning: SQLite is an experimental feature"; that
 * one warning, and only it, is silenced here (Node 24 and later print none).
 */
function loadSqlite(): typeof import('node:sqlite') {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = typeof warning === 'string' ? type : warning.name;
    if (name === 'ExperimentalWarning' && /SQLite/.test(text)) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node:sqlite') as typeof import('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

let sqliteModule: typeof import('node:sqlite') | undefined;

/**
 * Loaded on first use, not when this module is imported: on a Node.js without `node:sqlite` (20 and
 * older) a command still starts, and its version check says what to install instead of a stack trace.
 */
function sqlite(): typeof import('node:sqlite') {
  sqliteModule ??= loadSqlite();
  return sqliteModule;
}

/**
 * `mkdir -p`, one level at a time. (Node's own recursive mkdir loops for ever, at full CPU, under a
 * directory that refuses new entries such as /proc; this one fails at once with the real error.)
 */
function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const at of missing) {
    try {
      fs.mkdirSync(at);
    } catch (err) {
      // Another process (a second worker) may have created it a moment ago.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

type SqlValue = null | number | bigint | string | NodeJS.ArrayBufferView;
type Params = SqlValue[] | [Record<string, SqlValue>];

export class Ledger {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private isOpen = true;
  private depth = 0;

  private constructor(
    readonly path: string,
    db: DatabaseSync,
  ) {
    this.db = db;
  }

  /**
   * Opens (creating if needed) the ledger at `file`. Fails with a LedgerError that says what to do
   * when the location is not writable.
   */
  static open(file: string = ledgerPathFromEnv()): Ledger {
    const resolved = file === ':memory:' ? file : path.resolve(file);
    const { DatabaseSync } = sqlite();
    let db: DatabaseSync | undefined;
    try {
      if (resolved !== ':memory:') makeDirectory(path.dirname(resolved));
      db = new DatabaseSync(resolved);
      db.exec('PRAGMA busy_timeout = 5000');
      db.exec('PRAGMA journal_mode = WAL');
      // With WAL, NORMAL still survives a killed process (the durability tests kill workers); only a power
      // cut may lose the last commits. FULL would fsync every service call on the worker's event loop
      // (about 4 ms each on a plain disk), and the simulated world would cost more than Temporal itself.
      db.exec('PRAGMA synchronous = NORMAL');
      db.exec('PRAGMA foreign_keys = ON');
      db.exec(SCHEMA);
    } catch (err) {
      try {
        db?.close();
      } catch {
        // already unusable
      }
      const reason = err instanceof Error ? err.message : String(err);
      throw new LedgerError(
        `cannot open the ledger at ${resolved}: ${reason}. ` +
          `Set LEDGER_PATH to a file in a writable directory (default: ${DEFAULT_LEDGER_PATH}).`,
      );
    }
    const ledger = new Ledger(resolved, db);
    ledger.seedStock();
    return ledger;
  }

  /**
   * Deletes any earlier ledger at `file` (with its WAL files) and opens an empty one. Batch runs use
   * this: the same seed must meet the same faults, and attempts are counted per key in the ledger.
   */
  static openFresh(file: string): Ledger {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.resolve(file) + suffix, { force: true });
    return Ledger.open(file);
  }

  private seedStock(): void {
    this.transaction(() => {
      for (const entry of CATALOG) {
        this.run('INSERT OR IGNORE INTO stock (sku, on_hand) VALUES (?, ?)', entry.sku, entry.initialStock);
      }
    });
  }

  close(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.statements.clear();
    this.db.close();
  }

  private statement(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** The first row of a query as a plain object, or undefined. */
  get<T>(sql: string, ...params: Params): T | undefined {
    const row = this.statement(sql).get(...(params as SqlValue[]));
    return row === undefined ? undefined : ({ ...row } as T);
  }

  /** Every row of a query as plain objects. */
  all<T>(sql: string, ...params: Params): T[] {
    return this.statement(sql)
      .all(...(params as SqlValue[]))
      .map((row) => ({ ...row }) as T);
  }

  /** Runs a write; returns how many rows changed. */
  run(sql: string, ...params: Params): number {
    return Number(this.statement(sql).run(...(params as SqlValue[])).changes);
  }

  /**
   * Runs `fn` in one write transaction (BEGIN IMMEDIATE, so concurrent writers queue on the busy
   * timeout instead of failing half-way). A nested call joins the outer transaction.
   */
  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    this.depth++;
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.depth--;
    }
  }

  /** Records a call and returns its attempt number: 1 + earlier calls with the same step and key. */
  recordCall(step: string, key: string, orderId: string): number {
    return this.transaction(() => {
      const row = this.get<{ n: number }>('SELECT COUNT(*) AS n FROM calls WHERE step = ? AND idem_key = ?', step, key);
      const attempt = (row?.n ?? 0) + 1;
      this.run(
        "INSERT INTO calls (step, idem_key, order_id, attempt, outcome) VALUES (?, ?, ?, ?, 'started')",
        step,
        key,
        orderId,
        attempt,
      );
      return attempt;
    });
  }

  finishCall(step: string, key: string, attempt: number, outcome: string, detail?: string): void {
    this.run(
      'UPDATE calls SET outcome = ?, detail = ? WHERE step = ? AND idem_key = ? AND attempt = ?',
      outcome,
      detail ?? null,
      step,
      key,
      attempt,
    );
  }

  stockOf(sku: string): number {
    return this.get<{ on_hand: number }>('SELECT on_hand FROM stock WHERE sku = ?', sku)?.on_hand ?? 0;
  }

  calls(filter: { step?: string; orderId?: string } = {}): CallRow[] {
    return this.all<CallRow>(
      `SELECT step, idem_key AS key, order_id AS orderId, attempt, outcome, detail FROM calls
       WHERE (@step IS NULL OR step = @step) AND (@orderId IS NULL OR order_id = @orderId) ORDER BY id`,
      { step: filter.step ?? null, orderId: filter.orderId ?? null },
    );
  }

  audit(): Audit {
    const all = <T>(sql: string) => this.all<T>(sql);
    const charges = all<ChargeRow>(
      'SELECT charge_id AS chargeId, idem_key AS key, order_id AS orderId, amount_cents AS amountCents FROM charges ORDER BY seq',
    );
    const refunds = all<RefundRow>(
      'SELECT refund_id AS refundId, idem_key AS key, charge_id AS chargeId, order_id AS orderId, amount_cents AS amountCents FROM refunds ORDER BY seq',
    );
    const reservations = all<{
      reservationId: string;
      key: string;
      orderId: string;
      itemsJson: string;
      itemCount: number;
    }>(
      'SELECT reservation_id AS reservationId, idem_key AS key, order_id AS orderId, items_json AS itemsJson, item_count AS itemCount FROM reservations ORDER BY seq',
    ).map(({ itemsJson, ...rest }) => ({ ...rest, items: JSON.parse(itemsJson) as ReservationRow['items'] }));
    const releases = all<ReleaseRow>(
      'SELECT idem_key AS key, reservation_id AS reservationId, order_id AS orderId FROM releases ORDER BY seq',
    );
    const shipments = all<Omit<ShipmentRow, 'cancelled'> & { cancelled: number }>(
      `SELECT s.shipment_id AS shipmentId, s.idem_key AS key, s.order_id AS orderId, s.tracking_number AS trackingNumber,
              s.carrier AS carrier, (c.shipment_id IS NOT NULL) AS cancelled
       FROM shipments s LEFT JOIN shipment_cancellations c ON c.shipment_id = s.shipment_id ORDER BY s.seq`,
    ).map((row) => ({ ...row, cancelled: row.cancelled === 1 }));
    const notifications = all<NotificationRow>(
      'SELECT notification_id AS notificationId, idem_key AS key, order_id AS orderId, email, subject FROM notifications ORDER BY seq',
    );
    const fences = all<FenceRow>(
      'SELECT step, idem_key AS key, undo_key AS undoKey, order_id AS orderId FROM fences ORDER BY seq',
    );
    const refusedLateCalls = all<CallRow>(
      `SELECT step, idem_key AS key, order_id AS orderId, attempt, outcome, detail FROM calls
       WHERE outcome = '${REFUSED_LATE}' ORDER BY id`,
    );

    const refundedCharges = new Set(refunds.map((r) => r.chargeId));
    const releasedReservations = new Set(releases.map((r) => r.reservationId));
    const shippedOrders = new Set(shipments.filter((s) => !s.cancelled).map((s) => s.orderId));
    const orphanedCharges = charges.filter((c) => !refundedCharges.has(c.chargeId) && !shippedOrders.has(c.orderId));
    const stuckReservations = reservations.filter(
      (r) => !releasedReservations.has(r.reservationId) && !shippedOrders.has(r.orderId),
    );
    const paidOrders = new Set(charges.filter((c) => !refundedCharges.has(c.chargeId)).map((c) => c.orderId));
    const shippedUnpaid = shipments.filter((s) => !s.cancelled && !paidOrders.has(s.orderId));
    const emailsForFailedOrders = notifications.filter((n) => !shippedOrders.has(n.orderId));

    const callsByStep: Record<string, number> = {};
    const retriesByStep: Record<string, number> = {};
    for (const row of all<{ step: string; calls: number; keys: number }>(
      'SELECT step, COUNT(*) AS calls, COUNT(DISTINCT idem_key) AS keys FROM calls GROUP BY step ORDER BY step',
    )) {
      callsByStep[row.step] = row.calls;
      retriesByStep[row.step] = row.calls - row.keys;
    }
    const sum = (rows: { amountCents: number }[]) => rows.reduce((s, r) => s + r.amountCents, 0);
    return {
      charges,
      refunds,
      reservations,
      releases,
      shipments,
      notifications,
      fences,
      refusedLateCalls,
      orphanedCharges,
      stuckReservations,
      shippedUnpaid,
      emailsForFailedOrders,
      totals: {
        chargedCents: sum(charges),
        refundedCents: sum(refunds),
        orphanedCents: sum(orphanedCharges),
        retriesByStep,
        callsByStep,
      },
    };
  }
}
