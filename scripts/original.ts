/**
 * `npm run original`: runs a batch of orders through the "before" monolith and prints what
 * happened to each, then the ledger audit: who was charged for nothing, what stock is stuck.
 * The same seed gives the same output, byte for byte.
 */
import path from 'node:path';
import { OrderProcessor } from '../original/02-order-processing/order-processor';
import { LESSON_IDS, LESSONS, type LessonId } from '../common/lessons';
import { fulfillOrder } from '../original/06-order-fulfillment/fulfill-order';
import {
  type Audit,
  createServices,
  FaultPlan,
  formatCents,
  Ledger,
  parseSeed,
  REPO_ROOT,
  sampleBatch,
} from '../services';
import { parseArgs, runMain, usage } from './lib/args';
import { displayPath, formatAudit, plural } from './lib/report';

const FLAGS = {
  lesson: { type: 'string', choices: LESSON_IDS, description: "which lesson's original to run (default 06)" },
  orders: { type: 'int', min: 1, max: 10_000, description: 'how many orders (default 20, at most 10000)' },
  seed: { type: 'int', description: 'seed for the fault draws (default ORDER_SEED or 1)' },
  ledger: {
    type: 'string',
    description: 'ledger file, recreated on every run (default .data/original-<lesson>.sqlite)',
  },
} as const;

const SUMMARY = `Runs a batch of orders through a lesson's original code, then prints the ledger audit.
  lesson 06: the monolith (no retries, no cleanup); faults default ${LESSONS['06'].defaultFaults}
  lesson 02: the order processor with naive retry loops (no cleanup); faults default ${LESSONS['02'].defaultFaults}
Faults come from ORDER_FAULTS when it is set.`;

/**
 * What a failed order left behind, read from the ledger rather than from the code's own log: an
 * `after:N` fault charges the card and then reports an error, so the code believes nothing happened.
 */
export function consequence(status: 'completed' | 'failed', orderId: string, audit: Audit): string {
  if (status === 'completed') return '';
  const shipped = audit.shipments.some((s) => s.orderId === orderId && !s.cancelled);
  const charged = audit.orphanedCharges.some((c) => c.orderId === orderId);
  const stuck = audit.stuckReservations.some((r) => r.orderId === orderId);
  if (shipped) return '→ shipped, but the customer was never told; order marked failed';
  if (charged && stuck) return '→ customer charged, inventory stuck, no shipment';
  if (charged) return '→ customer charged, no shipment';
  if (stuck) return '→ inventory stuck, nothing charged';
  return '→ nothing charged';
}

export function formatOutcome(
  outcome: { orderId: string; status: 'completed' | 'failed'; steps: { step: string; ok: boolean; detail: string }[] },
  audit: Audit,
): string {
  const steps = outcome.steps.map((s) => (s.ok ? `✅ ${s.step} (${s.detail})` : `❌ ${s.step}: ${s.detail}`));
  return [outcome.orderId, ...steps, consequence(outcome.status, outcome.orderId, audit)].filter(Boolean).join('  ');
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2), FLAGS);
  if (args.help) {
    console.log(usage('npm run original --', SUMMARY, FLAGS));
    return 0;
  }
  const lesson = (args.lesson ?? '06') as LessonId;
  const count = args.orders ?? 20;
  const seed = args.seed ?? parseSeed(process.env.ORDER_SEED);
  const defaults = LESSONS[lesson].defaultFaults;
  const faults = new FaultPlan(FaultPlan.fromEnv(defaults).spec, seed);
  const ledgerPath = path.resolve(args.ledger ?? path.join(REPO_ROOT, '.data', `original-${lesson}.sqlite`));
  // A fresh ledger every run: the same seed must meet the same faults (attempts are counted per key).
  const services = createServices({ ledger: Ledger.openFresh(ledgerPath), faults });

  const title = lesson === '02' ? 'Original order processor (lesson 02)' : 'Original monolith (lesson 06)';
  console.log(`${title}: ${count} orders, seed ${seed}, faults ${faults.toString() || 'none'}`);
  console.log('');
  const outcomes: { status: 'completed' | 'failed' }[] = [];
  try {
    for (const order of sampleBatch(count)) {
      const warnings: string[] = [];
      const logger = { warn: (line: string) => warnings.push(line) };
      const outcome =
        lesson === '02'
          ? await new OrderProcessor(services, { logger }).processOrder(order)
          : await fulfillOrder(order, services, logger);
      outcomes.push(outcome);
      console.log(formatOutcome(outcome, services.ledger.audit()));
      for (const line of warnings) console.log(`    WARN ${line}`);
    }
    const audit = services.ledger.audit();
    const failed = outcomes.filter((o) => o.status === 'failed').length;
    const stuckItems = audit.stuckReservations.reduce((sum, r) => sum + r.itemCount, 0);
    console.log('');
    console.log(`${count} orders: ${count - failed} completed, ${failed} failed`);
    console.log(
      `  ${plural(new Set(audit.orphanedCharges.map((c) => c.orderId)).size, 'customer')} charged without shipment: ` +
        `${formatCents(audit.totals.orphanedCents)}`,
    );
    console.log(
      `  ${plural(audit.stuckReservations.length, 'reservation')} stuck (${plural(stuckItems, 'unit')} locked)`,
    );
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
