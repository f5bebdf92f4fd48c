/**
 * `npm run original` (scripts/original.ts) as the unit tests run it, to check that a seed gives the
 * same bytes every time.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { freshLedgerPath } from './harness';

/**
 * What `scripts/original.ts <args>` prints on a fresh ledger of its own (labelled `ledgerLabel`), with
 * no ORDER_FAULTS or ORDER_SEED from this shell; the ledger's path reads `(ledger)` and `--ledger X`,
 * so two runs compare byte for byte. Run asynchronously: a synchronous spawn would stall this process's
 * event loop for seconds, and with it the workers of the integration scenarios that start at load.
 */
export async function originalOutput(args: string[], ledgerLabel: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [require.resolve('ts-node/dist/bin'), 'scripts/original.ts', ...args, '--ledger', freshLedgerPath(ledgerLabel)],
    {
      cwd: path.resolve(__dirname, '../..'),
      env: { ...process.env, ORDER_FAULTS: undefined, ORDER_SEED: undefined },
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  return stdout.replace(/\(.*order-kit-scratch-.*\.sqlite\)/g, '(ledger)').replace(/--ledger \S+/, '--ledger X');
}
