/**
 * `npm run original`: runs a batch of orders through the "before" monolith and prints what
 * happened to each, then the ledger audit: who was charged for nothing, what stock is stuck.
 * The same seed gives the same output, byte for byte.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fulfilOrder, OrderOutcome } from '../original/06-order-fulfillment/fulfil-order';
import {
  createServices,
  FaultPlan,
  formatCents,
  LESSON_06_DEFAULT_FAULTS,
  Ledger,
  parseSeed,
  REPO_ROOT,
  sampleBatch,
} from '../services';
import { parseArgs, runMain, usage } from './lib/args';
import { displayPath, formatAudit } from './lib/report';

const FLAGS = {
  lesson: { type: 'string', choices: ['06'], description: 'which lesson\'s monolith to run (default 06)' },
  orders: { type: 'int', min: 1, description: 'how many orders (default 20)' },
  seed: { type: 'int', description: 'seed for the fault draws (default ORDER_SEED or 1)' },
  ledger: { type: 'string', description: 'ledger file, recreated on every run (default .data/original-06.sqlite)' },
} as const;

const SUMMARY = `Runs a batch of orders through the original monolith (no retries, no cleanup).
Faults come from ORDER_FAULTS (default ${LESSON_06_DEFAULT_FAULTS}).`;

export function consequence(outcome: OrderOutcome): string {
  if (outcome.status === 'completed') return '';
  const ok = new Set(outcome.steps.filter((s) => s.ok).map((s) => s.step));
  if (ok.has('shipping')) return '→ shipped, but the customer was never told; order marked failed';
  if (ok.has('inventory')) return '→ customer charged, inventory stuck, no shipment';
  if (ok.has('payment')) return '→ customer charged, no shipment';
  return '→ nothing charged';
}

export function formatOutcome(outcome: OrderOutcome): string {
  const steps = outcome.steps.map((s) => (s.ok ? `✅ ${s.step} (${s.detail})` : `❌ ${s.step}: ${s.detail}`));
  return [outcome.orderId, ...steps, consequence(outcome)].filter(Boolean).join('  ');
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    console.log(usage('npm run original --', SUMMARY, FLAGS));
    return 0;
  }
  const count = args.orders ?? 20;
  const seed = args.seed ?? parseSeed(process.env.ORDER_SEED);
  const faults = new FaultPlan(FaultPlan.fromEnv(LESSON_06_DEFAULT_FAULTS).spec, seed);
  const ledgerPath = path.resolve(args.ledger ?? path.join(REPO_ROOT, '.data', 'original-06.sqlite'));
  // A fresh ledger every run: the same seed must meet the same faults (attempts are counted per key).
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(ledgerPath + suffix, { force: true });
  const services = createServices({ ledger: Ledger.open(ledgerPath), faults });

  console.log(`Original monolith (lesson 06): ${count} orders, seed ${seed}, faults ${faults.toString() || 'none'}`);
  console.log('');
  const outcomes: OrderOutcome[] = [];
  try {
    for (const order of sampleBatch(count)) {
      const warnings: string[] = [];
      const outcome = await fulfilOrder(order, services, { warn: (line: string) => warnings.push(line) });
      outcomes.push(outcome);
      console.log(formatOutcome(outcome));
      for (const line of warnings) console.log(`    WARN ${line}`);
    }
    const audit = services.ledger.audit();
    const failed = outcomes.filter((o) => o.status === 'failed').length;
    const stuckItems = audit.stuckReservations.reduce((sum, r) => sum + r.itemCount, 0);
    console.log('');
    console.log(`${count} orders: ${count - failed} completed, ${failed} failed`);
    console.log(
      `  ${new Set(audit.orphanedCharges.map((c) => c.orderId)).size} customers charged without shipment: ` +
        `${formatCents(audit.totals.orphanedCents)}`,
    );
    console.log(`  ${audit.stuckReservations.length} reservations stuck (${stuckItems} items locked)`);
    console.log('');
    console.log(formatAudit(audit, ledgerPath));
    console.log('');
    console.log(`Inspect it yourself: npm run ledger -- --ledger ${displayPath(ledgerPath)}`);
  } finally {
    services.close();
  }
  return 0;
}

if (require.main === module) runMain(main);
