/** One row on a lesson's original (the monolith): the same orders, as many in flight, in this process. */
import type { LessonId } from '../../common/lessons';
import { mapLimited } from '../../common/kit/limit';
import { originalOf } from '../../common/kit/lesson-code';
import type { Order, Services } from '../../services';
import { freshServices, retriesOf, type BenchContext } from './context';
import type { Meter } from './meter';
import { summarize, type RowResult } from './results';
import type { RowSpec } from './rows';

type Monolith = (order: Order, services: Services) => Promise<{ status: 'completed' | 'failed' }>;

/** A lesson's original: its `runOrder(order, services, logger)`, with a logger that stays quiet. */
function loadOriginal(lesson: LessonId): Monolith {
  const runOrder = originalOf(lesson);
  const quiet = { warn: () => undefined };
  return (order, services) => runOrder(order, services, quiet);
}

export async function runOriginalRow(ctx: BenchContext, row: RowSpec, memory: Meter): Promise<RowResult> {
  const monolith = loadOriginal(row.lesson!);
  const services = freshServices(row);
  try {
    let done = 0;
    memory.start();
    const started = Date.now();
    const runs = await mapLimited(ctx.orders, ctx.concurrency, async (order) => {
      const t0 = Date.now();
      const outcome = await monolith(order, services);
      const run = { ok: outcome.status === 'completed', latencyMs: Date.now() - t0 };
      ctx.progress(row, ++done, ctx.orders.length);
      return run;
    });
    const seconds = (Date.now() - started) / 1000;
    const reading = memory.stop();
    return summarize(
      row,
      runs,
      seconds,
      { retries: retriesOf(services), historyEventsPerOrder: null },
      {
        ...reading,
        serverMiB: null,
        serverCpuMs: null,
      },
    );
  } finally {
    services.close();
  }
}
