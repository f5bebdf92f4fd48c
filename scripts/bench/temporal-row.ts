/**
 * One row on Temporal: a batch of orders through a fresh worker (the floor's or a lesson's), then the
 * history each order left and, if the row asks, how long replaying one takes.
 */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { LESSONS, orderWorkflowId } from '../../common/lessons';
import type { Order } from '../../services';
import { runWorkflowBatch, type OrderRun } from '../lib/temporal-run';
import { bundleOf, freshServices, retriesOf, workerOf, type BenchContext } from './context';
import type { Meter, MeterReading } from './meter';
import { summarize, type RowResult } from './results';
import type { RowSpec } from './rows';

/** How many orders' histories are counted: enough for an average, few enough to stay quick. */
const HISTORY_SAMPLE = 5;

/** Events in a workflow's history plus those of every child it started, recursively. */
async function historyEvents(client: Client, workflowId: string, runId?: string): Promise<number> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
  let total = events.length;
  for (const event of events) {
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (child?.workflowId) total += await historyEvents(client, child.workflowId, child.runId ?? undefined);
  }
  return total;
}

/**
 * How long a replay worker takes to replay `history` from its first event, as a worker does after a
 * cache eviction or a restart. The history is replayed twice and the second is timed (the first one
 * also pays for starting the replay worker).
 */
async function replayMs(bundle: WorkflowBundle, workflowId: string, history: temporal.api.history.v1.IHistory) {
  const times: number[] = [];
  let last = Date.now();
  const histories = [1, 2].map((i) => ({ workflowId: `${workflowId}-replay-${i}`, history }));
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    if (result.error) throw result.error;
    const now = Date.now();
    times.push(now - last);
    last = now;
  }
  return times[1];
}

export async function runTemporalRow(ctx: BenchContext, row: RowSpec, memory: Meter): Promise<RowResult> {
  const services = freshServices(row);
  const orders = row.orders ? ctx.orders.slice(0, row.orders) : ctx.orders;
  try {
    const worker = workerOf(ctx, row);
    let workflowType: string;
    let workflowId: (order: Order) => string;
    let args: ((order: Order) => unknown[]) | undefined;
    if (row.floor) {
      const floor = row.floor;
      workflowType = floor.workflowType;
      workflowId = (order) => `bench-${row.name}-${order.orderId}`;
      args = (order) => [order, floor.shape];
    } else {
      const spec = LESSONS[row.lesson!];
      workflowType = spec.workflowType;
      workflowId = (order) => orderWorkflowId(spec.id, order.orderId);
    }
    let reading: MeterReading | undefined;
    const batch = await runWorkflowBatch({
      server: ctx.server,
      services,
      orders,
      worker,
      workflow: { workflowType, workflowId, args },
      // A task queue of its own per row: nothing left over from the previous row can reach this worker.
      taskQueue: `bench-${row.name}`,
      concurrency: ctx.concurrency,
      workflowBundle: await bundleOf(ctx, worker.workflowsPath),
      tuning: row.tuning,
      beforeBatch: () => memory.start(),
      // Stop measuring at the last result, before the worker shuts down.
      afterBatch: async () => {
        reading = memory.stop();
      },
      onProgress: (done, total) => ctx.progress(row, done, total),
    });
    const sample = orders.slice(0, HISTORY_SAMPLE);
    const events = await Promise.all(sample.map((order) => historyEvents(ctx.client, workflowId(order))));
    let replay: RowResult['replay'];
    if (row.replay) {
      const history = await ctx.client.workflow.getHandle(workflowId(orders[0])).fetchHistory();
      const ms = await replayMs(await bundleOf(ctx, worker.workflowsPath), workflowId(orders[0]), history);
      replay = { events: history.events?.length ?? 0, ms };
    }
    const result = summarize(
      row,
      batch.runs.map((r: OrderRun<unknown>) => ({ ok: r.outcome.kind === 'completed', latencyMs: r.latencyMs })),
      batch.seconds,
      {
        retries: retriesOf(services),
        historyEventsPerOrder: Math.round(events.reduce((a, b) => a + b, 0) / events.length),
      },
      reading!,
    );
    return replay ? { ...result, replay } : result;
  } finally {
    services.close();
  }
}
