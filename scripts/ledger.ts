/**
 * `npm run ledger`: the audit of a ledger file, for people, or with --json for programs.
 */
import { Ledger } from '../services';
import { runMain } from '../common/cli';
import { commandArgs } from './lib/args';
import { LEDGER_FLAGS, ledgerToRead } from './lib/ledger-file';
import { formatAudit } from './lib/report';

const FLAGS = {
  json: {
    type: 'boolean',
    description: 'print the audit as JSON (charges, refunds, …, orphanedCharges, stuckReservations)',
  },
  ...LEDGER_FLAGS,
} as const;

const SUMMARY = 'Prints what the simulated outside world recorded.';

async function main(): Promise<number> {
  const args = commandArgs('npm run ledger --', SUMMARY, FLAGS);
  if (!args) return 0;
  const { file } = ledgerToRead(
    args,
    (missing) => `no ledger at ${missing} yet: run an order first (npm run original, npm run client …)`,
  );
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
