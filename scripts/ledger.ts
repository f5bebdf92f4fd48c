/**
 * `npm run ledger`: the audit of a ledger file, for people, or with --json for programs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ledger, ledgerPathFromEnv, LedgerError } from '../services';
import { DEFAULT_LESSON, LESSON_IDS, type LessonId } from '../common/lessons';
import { runMain } from '../common/cli';
import { parseArgs, usage } from './lib/args';
import { formatAudit } from './lib/report';

const FLAGS = {
  json: {
    type: 'boolean',
    description: 'print the audit as JSON (charges, refunds, …, orphanedCharges, stuckReservations)',
  },
  lesson: { type: 'string', choices: LESSON_IDS, description: `whose ledger (default ${DEFAULT_LESSON})` },
  ledger: {
    type: 'string',
    description: 'ledger file (default LEDGER_PATH, else the lesson’s own: .data/lesson-<lesson>.sqlite)',
  },
} as const;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    console.log(usage('npm run ledger --', 'Prints what the simulated outside world recorded.', FLAGS));
    return 0;
  }
  const lesson = (args.lesson ?? DEFAULT_LESSON) as LessonId;
  const file = args.ledger ? path.resolve(args.ledger) : ledgerPathFromEnv(process.env, lesson);
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
