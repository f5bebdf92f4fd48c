/**
 * Opening the ledger for a command (worker, client): LEDGER_PATH, or the default file, checked before
 * anything starts, so a bad path fails at once with one line instead of after an order has run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ledger, LedgerError, ledgerPathFromEnv } from '../services';

/** The first bytes of every SQLite database file. */
const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * Why `file` cannot be a ledger, naming it and the fix, or undefined when it can: a directory, or a file
 * that is not an SQLite database (a text file, say). Anything else is for Ledger.open to find out.
 */
export function ledgerPathProblem(file: string): string | undefined {
  const resolved = path.resolve(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolved);
  } catch {
    return undefined; // a new ledger: Ledger.open creates it, or says why it cannot
  }
  if (stat.isDirectory()) {
    return (
      `the ledger path ${resolved} (LEDGER_PATH) is a directory: set LEDGER_PATH to a file, ` +
      `e.g. ${path.join(resolved, 'ledger.sqlite')} (it is created when missing).`
    );
  }
  if (stat.isFile() && stat.size > 0) {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    let read: number;
    try {
      const fd = fs.openSync(resolved, 'r');
      try {
        read = fs.readSync(fd, header, 0, header.length, 0);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return undefined; // unreadable: Ledger.open says so
    }
    if (read < header.length || header.toString('latin1') !== SQLITE_HEADER) {
      return (
        `the ledger path ${resolved} (LEDGER_PATH) is not a ledger (not an SQLite database): set LEDGER_PATH ` +
        'to a new file (it is created) or to an existing ledger.'
      );
    }
  }
  return undefined;
}

/** Opens the ledger at `file` (default: LEDGER_PATH), or fails with one line naming the path and the fix. */
export function openLedger(file: string = ledgerPathFromEnv()): Ledger {
  const problem = ledgerPathProblem(file);
  if (problem) throw new LedgerError(problem);
  return Ledger.open(file);
}
