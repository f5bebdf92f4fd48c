/**
 * One bench run on its own private dev server: load the lessons' workers, bundle every workflow module,
 * warm up, then run each row (each round of rows, with --repeat) and keep the medians.
 */
import { Client, Connection } from '@temporalio/client';
import path from 'node:path';
import { LESSONS, type LessonId } from '../../common/lessons';
import type { LessonWorker } from '../../common/worker';
import { REPO_ROOT, sampleBatch } from '../../services';
import { privateServer } from '../lib/temporal-run';
import { bundleOf, workerOf, type BenchContext } from './context';
import { Meter } from './meter';
import { runOriginalRow } from './original-row';
import type { BenchPlan } from './plan';
import { formatRate, medianOf, type RowResult } from './results';
import { floorRow, parent } from './rows';
import { runTemporalRow } from './temporal-row';

async function loadLessonWorkers(plan: BenchPlan): Promise<Map<LessonId, LessonWorker>> {
  const lessonWorkers = new Map<LessonId, LessonWorker>();
  for (const id of new Set(plan.rows.filter((r) => r.kind === 'lesson').map((r) => r.lesson!))) {
    const mod = (await import(path.join(REPO_ROOT, 'solution', LESSONS[id].folder, 'worker'))) as {
      lessonWorker: LessonWorker;
    };
    lessonWorkers.set(id, mod.lessonWorker);
  }
  return lessonWorkers;
}

export async function runSession(plan: BenchPlan): Promise<RowResult[]> {
  const { rows, json, repeat, latency } = plan;
  const say = (line: string) => {
    if (!json) process.stderr.write(`${line}\n`);
  };
  const server = await privateServer((line) => process.stderr.write(`${line}\n`));
  // Ctrl-C (or a test's SIGTERM) stops the private server too: it runs in a process group of its own.
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the dev server…\n`);
    void server.stop().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const clientConnection = await Connection.connect({ address: server.address });
  const client = new Client({ connection: clientConnection, namespace: server.namespace });
  const results: RowResult[] = [];
  try {
    const lessonWorkers = await loadLessonWorkers(plan);
    let current = 0;
    const interactive = process.stderr.isTTY && !json;
    const ctx: BenchContext = {
      server,
      client,
      orders: sampleBatch(plan.count),
      concurrency: plan.concurrency,
      bundles: new Map(),
      lessonWorkers,
      progress: (row, done, total) => {
        if (json) return;
        const text = `[${current}/${rows.length}] ${row.name}: ${done}/${total} orders`;
        if (interactive) process.stderr.write(`\r${text}${done === total ? '\n' : ''}`);
        else if (done === total || done % Math.max(1, Math.floor(total / 4)) === 0) say(text);
      },
    };
    say(
      `Bench (${plan.mode}): ${plan.count} orders per row, ${plan.concurrency} in flight, seed ${plan.seed}` +
        `${repeat > 1 ? `, ${repeat} rounds` : ''}` +
        `${latency ? `, latency ${latency.toString()}` : ''}; dev server ${server.address}`,
    );
    const onServer = rows.filter((r) => r.kind !== 'original');
    // Bundle every workflow module first, so no row pays for webpack.
    await Promise.all([...new Set(onServer.map((r) => workerOf(ctx, r).workflowsPath))].map((p) => bundleOf(ctx, p)));
    // A short untimed run first: a cold server and a cold worker would handicap the first row.
    if (onServer.length > 0) {
      say('warming up…');
      const warm = floorRow('warm-up', 'warm-up', parent(2));
      await runTemporalRow(
        { ...ctx, orders: sampleBatch(Math.min(20, plan.count)), progress: () => undefined },
        warm,
        new Meter(),
      );
    }
    const memory = new Meter(server.devServer?.pid);
    const rounds = rows.map((): RowResult[] => []);
    for (let round = 1; round <= repeat; round++) {
      for (const [i, row] of rows.entries()) {
        current = i + 1;
        const result =
          row.kind === 'original' ? await runOriginalRow(ctx, row, memory) : await runTemporalRow(ctx, row, memory);
        rounds[i].push(result);
        say(
          `[${current}/${rows.length}${repeat > 1 ? `, round ${round}/${repeat}` : ''}] ${row.name}: ` +
            `${formatRate(result.ordersPerSecond)} orders/s, p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, ` +
            `${result.failed} failed`,
        );
      }
    }
    results.push(...rounds.map(medianOf));
  } finally {
    process.removeListener('SIGINT', interrupted);
    process.removeListener('SIGTERM', interrupted);
    await clientConnection.close();
    await server.stop();
  }
  return results;
}
