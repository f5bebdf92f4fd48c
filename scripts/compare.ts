/**
 * `npm start`: the before/after run. The same orders and the same seeded faults go through the
 * original monolith and through the Temporal solution; then a side-by-side table and each side's
 * ledger audit show the difference.
 */
import path from 'node:path';
import { fulfillOrder } from '../original/06-order-fulfillment/fulfill-order';
import type { OrderResult } from '../solution/06-order-fulfillment/shared';
import { lessonWorker } from '../solution/06-order-fulfillment/worker';
import { Audit, createServices, formatCents, Ledger, parseSeed, REPO_ROOT, sampleBatch } from '../services';
import { runMain } from '../common/cli';
import { commandArgs } from './lib/args';
import { lessonFaults } from './lib/batch';
import { formatAudit, plural } from './lib/report';
import { privateServer, runLessonBatch } from './lib/temporal-run';

const FLAGS = {
  orders: { type: 'int', min: 1, max: 10_000, description: 'how many orders (default 20, at most 10000)' },
  seed: { type: 'int', description: 'seed for the fault draws (default ORDER_SEED or 1)' },
} as const;

const SUMMARY = 'Runs the same orders and faults through the original and the Temporal solution.';

function progress(label: string, done: number, total: number): void {
  if (!process.stdout.isTTY) {
    if (done === total || done % Math.max(1, Math.floor(total / 4)) === 0)
      console.log(`  ${label}: ${done}/${total} orders`);
    return;
  }
  process.stdout.write(`\r  ${label}: ${done}/${total} orders`);
  if (done === total) process.stdout.write('\n');
}

interface Side {
  completed: number;
  failed: number;
  audit: Audit;
  ledgerPath: string;
  seconds: number;
}

function row(label: string, before: string | number, after: string | number): string {
  return `  ${label.padEnd(30)}${String(before).padStart(16)}${String(after).padStart(16)}`;
}

async function main(): Promise<number> {
  const args = commandArgs('npm start --', SUMMARY, FLAGS);
  if (!args) return 0;
  const count = args.orders ?? 20;
  const seed = args.seed ?? parseSeed(process.env.ORDER_SEED);
  const faults = lessonFaults('06', seed);
  const orders = sampleBatch(count);
  console.log(`Before and after: ${count} orders, seed ${seed}, faults ${faults.toString() || 'none'}\n`);

  // Before: the monolith.
  const beforeServices = createServices({
    ledger: Ledger.openFresh(path.join(REPO_ROOT, '.data', 'compare-original-06.sqlite')),
    faults,
  });
  let before: Side;
  try {
    const started = Date.now();
    let completed = 0;
    for (const [i, order] of orders.entries()) {
      const outcome = await fulfillOrder(order, beforeServices, { warn: () => undefined });
      if (outcome.status === 'completed') completed++;
      progress('original', i + 1, count);
    }
    before = {
      completed,
      failed: count - completed,
      audit: beforeServices.ledger.audit(),
      ledgerPath: beforeServices.ledger.path,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    beforeServices.close();
  }

  // After: the Temporal solution, on a private dev server so your own server is left alone.
  const server = await privateServer((line) => console.log(line));
  const afterServices = createServices({
    ledger: Ledger.openFresh(path.join(REPO_ROOT, '.data', 'compare-solution-06.sqlite')),
    faults,
  });
  let after: Side;
  try {
    const batch = await runLessonBatch<OrderResult>({
      server,
      services: afterServices,
      orders,
      lesson: lessonWorker,
      onProgress: (done, total) => progress('Temporal', done, total),
    });
    const completed = batch.runs.filter((r) => r.outcome.kind === 'completed').length;
    after = {
      completed,
      failed: count - completed,
      audit: afterServices.ledger.audit(),
      ledgerPath: afterServices.ledger.path,
      seconds: batch.seconds,
    };
  } finally {
    afterServices.close();
    await server.stop();
  }

  const retries = (a: Audit) => Object.values(a.totals.retriesByStep).reduce((s, n) => s + n, 0);
  const stuckItems = (a: Audit) => a.stuckReservations.reduce((s, r) => s + r.itemCount, 0);
  console.log('');
  console.log(row('', 'original', 'Temporal'));
  console.log(row('orders completed', before.completed, after.completed));
  console.log(row('orders failed', before.failed, after.failed));
  console.log(row('orphaned charges', before.audit.orphanedCharges.length, after.audit.orphanedCharges.length));
  console.log(
    row(
      'dollars charged, not shipped',
      formatCents(before.audit.totals.orphanedCents),
      formatCents(after.audit.totals.orphanedCents),
    ),
  );
  console.log(
    row(
      'reservations stuck (units)',
      `${before.audit.stuckReservations.length} (${stuckItems(before.audit)})`,
      `${after.audit.stuckReservations.length} (${stuckItems(after.audit)})`,
    ),
  );
  console.log(row('refunds issued', before.audit.refunds.length, after.audit.refunds.length));
  console.log(row('retries spent', retries(before.audit), retries(after.audit)));
  console.log(row('wall time', `${before.seconds.toFixed(1)} s`, `${after.seconds.toFixed(1)} s`));
  console.log(
    row('orders per second', (count / Math.max(before.seconds, 0.001)).toFixed(1), (count / after.seconds).toFixed(1)),
  );
  console.log('');
  console.log(`Before: ${formatAudit(before.audit, before.ledgerPath)}\n`);
  console.log(`After:  ${formatAudit(after.audit, after.ledgerPath)}\n`);
  const failedCleanly =
    after.failed > 0
      ? `The ${plural(after.failed, 'order')} that failed under Temporal failed cleanly: every charge refunded, every reservation released.`
      : 'Under Temporal every order completed: retries rode out the faults that stopped the monolith.';
  console.log(failedCleanly);
  console.log('Watch one order step by step: npm run solution -- --keep, then open the Web UI.');
  return 0;
}

runMain(main);
