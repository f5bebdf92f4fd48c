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
import { Audit, CallRow, readAudit } from './audit';
import { LedgerError } from './errors';
import { DEFAULT_LEDGER_PATH, ledgerPathFromEnv } from './ledger-location';
import { SCHEMA } from './ledger-schema';
import { makeDirectory } from './make-directory';
import { CATALOG } from './orders';
import { sqlite } from './sqlite';

export type SqlValue = null | number | bigint | string | NodeJS.ArrayBufferView;
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

  /** Inserts one row: the object's keys name the columns. */
  insert(table: string, row: Record<string, SqlValue>): number {
    const columns = Object.keys(row);
    const placeholders = columns.map(() => '?').join(', ');
    return this.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders})`, ...Object.values(row));
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

  /** Everything the ledger holds and what it adds up to (see audit.ts). */
  audit(): Audit {
    return readAudit(this);
  }
}
