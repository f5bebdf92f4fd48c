/**
 * `npm run ledger`: the audit of a ledger file, for people, or with --json for programs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ledger, ledgerPathFromEnv, LedgerError } from '../services';
import { parseArgs, runMain, usage } from './lib/args';
import { formatAudit } from './lib/report';

const FLAGS = {
  json: {
    type: 'boolean',
    description: 'print the audit as JSON (charges, refunds, …, orphanedCharges, stuckReservations)',
  },
  ledger: { type: 'string', description: 'ledger file (default LEDGER_PATH or .data/ledger.sqlite)' },
} as const;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    console.log(usage('npm run ledger --', 'Prints what the simulated outside world recorded.', FLAGS));
    return 0;
  }
  const file = args.ledger ? path.resolve(args.ledger) : ledgerPathFromEnv();
  if (!fs.existsSync(file)) {
    throw new LedgerError(`no ledger at ${file} yet: run an order first (npm run original, npm run client …)`);
  }
  const ledger = Ledger.open(file);
  try {
    const audit = ledger.audit();
    console.log(args.json ? JSON.stringify({ ledger: file, ...audit }, null, 2) : formatAudit(audit, file));
  } finally {
    ledger.close();
  }
  return 0;
}

runMain(main);
