/**
 * `npm run original`: runs a batch of orders through the "before" monolith and prints what
 * happened to each, then the ledger audit: who was charged for nothing, what stock is stuck.
 * The same seed gives the same output, byte for byte.
 */
import path from 'node:path';
import { DEFAULT_LESSON, LESSON_IDS, LESSONS, type LessonId } from '../common/lessons';
import { type Audit, formatCents, Ledger, parseSeed, REPO_ROOT, sampleBatch } from '../services';
import { originalOf } from '../common/kit/lesson-code';
import { runMain } from '../common/cli';
import { commandArgs } from './lib/args';
import { batchServices } from './lib/batch';
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
${LESSON_IDS.map((l) => `  lesson ${l}: ${LESSONS[l].originalSummary}; faults default ${LESSONS[l].defaultFaults}`).join('\n')}
Faults come from ORDER_FAULTS when it is set; simulated latency from ORDER_LATENCY (e.g. inventory=400ms).`;

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
  // Told "has shipped" about an order that failed (lesson 03's original emails first).
  const told = audit.emailsForFailedOrders.some((n) => n.orderId === orderId) ? ', "has shipped" email sent' : '';
  if (charged && stuck) return `→ customer charged, inventory stuck, no shipment${told}`;
  if (charged) return `→ customer charged, no shipment${told}`;
  if (stuck) return `→ inventory stuck, nothing charged${told}`;
  return `→ nothing charged${told}`;
}

/** Waits until no service call is in flight (each ends within its simulated latency). */
async function callsEnded(ledger: Ledger): Promise<void> {
  while (ledger.calls().some((c) => c.outcome === 'started')) await new Promise((resolve) => setTimeout(resolve, 10));
}

export function formatOutcome(
  outcome: { orderId: string; status: 'completed' | 'failed'; steps: { step: string; ok: boolean; detail: string }[] },
  audit: Audit,
): string {
  const steps = outcome.steps.map((s) => (s.ok ? `✅ ${s.step} (${s.detail})` : `❌ ${s.step}: ${s.detail}`));
  return [outcome.orderId, ...steps, consequence(outcome.status, outcome.orderId, audit)].filter(Boolean).join('  ');
}

async function main(): Promise<number> {
  const args = commandArgs('npm run original --', SUMMARY, FLAGS);
  if (!args) return 0;
  const lesson = (args.lesson ?? DEFAULT_LESSON) as LessonId;
  const count = args.orders ?? 20;
  const seed = args.seed ?? parseSeed(process.env.ORDER_SEED);
  const ledgerPath = path.resolve(args.ledger ?? path.join(REPO_ROOT, '.data', `original-${lesson}.sqlite`));
  const services = batchServices(lesson, seed, ledgerPath);
  const { faults, latency } = services;

  const title = `${LESSONS[lesson].originalTitle} (lesson ${lesson})`;
  const runOrder = originalOf(lesson);
  console.log(`${title}: ${count} orders, seed ${seed}, faults ${faults.toString() || 'none'}${latency.describe()}`);
  console.log('');
  const outcomes: { status: 'completed' | 'failed' }[] = [];
  try {
    for (const order of sampleBatch(count)) {
      const warnings: string[] = [];
      const logger = { warn: (line: string) => warnings.push(line) };
      const outcome = await runOrder(order, services, logger);
      // A call the code stopped waiting for (lesson 07's Promise.all) may still land: let it, then look.
      await callsEnded(services.ledger);
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
    const told = new Set(audit.emailsForFailedOrders.map((n) => n.orderId)).size;
    if (told) console.log(`  ${plural(told, 'customer')} emailed "has shipped" for an order that failed`);
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
