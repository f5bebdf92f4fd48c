/** Where the ledger file lives: the lesson's own file under `.data/`, or LEDGER_PATH. */
import path from 'node:path';

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
