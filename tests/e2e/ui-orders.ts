/**
 * The lesson-06 orders the Web UI pictures show, run by the solution on a private, UI-enabled dev
 * server with an in-process worker: what `npm run docs:screenshots` photographs and what the browser
 * test (tests/e2e/web-ui.test.ts) checks.
 *
 *   ORDER-001  no faults: completes
 *   ORDER-002  shipping always fails: the parent compensates (release inventory, refund payment)
 *   ORDER-003  inventory fails its first two attempts, each slow: retried inside the inventory child
 *   ORDER-007  lesson 07, no faults, slow services: payment and inventory run side by side
 *
 * Each scenario gets its own worker (one fault plan per worker), one after the other on the lesson's
 * task queue; the last one keeps running, so the Web UI can still query the orders.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { orderOutcome, type OrderOutcome } from '../../common/client';
import { LESSONS, orderWorkflowId, type LessonId } from '../../common/lessons';
import { createLessonWorker } from '../../common/worker';
import { FaultPlan, LatencyPlan, sampleOrder, type Order, type Services } from '../../services';
import type { OrderResult } from '../../solution/06-order-fulfillment/shared';
import { lessonWorkerOf } from '../../common/kit/lesson-code';
import type { DevServer } from '../../common/kit/dev-server';
import { freshServices, workflowBundle } from '../support/harness';

export interface Scenario {
  /** The lesson whose solution runs it (default 06). */
  lesson?: LessonId;
  orderId: string;
  /** ORDER_FAULTS for its worker. */
  faults: string;
  /** ORDER_LATENCY for its worker. */
  latency?: string;
  what: string;
}

export const HAPPY: Scenario = { orderId: 'ORDER-001', faults: 'none', what: 'no faults' };
export const COMPENSATED: Scenario = {
  orderId: 'ORDER-002',
  faults: 'shipping=always',
  what: 'shipping always fails: compensated',
};
/** Each inventory attempt takes 9 s (under the 10 s timeout), so the retry can be watched while it runs. */
export const RETRIED: Scenario = {
  orderId: 'ORDER-003',
  faults: 'inventory=first:2',
  latency: 'inventory=9s',
  what: 'inventory fails twice, each attempt slow: retried in its child',
};
/** Lesson 07 with services slow enough that the two children's bars overlap visibly in the timeline. */
export const PARALLEL: Scenario = {
  lesson: '07',
  orderId: 'ORDER-007',
  faults: 'none',
  latency: 'payment=1500ms,inventory=2500ms,shipping=1s,notification=500ms',
  what: 'lesson 07, slow services: payment and inventory side by side',
};

/** A private server with the lesson's worker(s) attached; `stop()` ends workers, then connections. */
export class OrderRunner {
  private current?: { worker: Worker; running: Promise<void>; services: Services };

  private constructor(
    readonly server: DevServer,
    readonly connection: NativeConnection,
    readonly client: Client,
  ) {}

  static async on(server: DevServer): Promise<OrderRunner> {
    const connection = await NativeConnection.connect({ address: server.address });
    const client = new Client({
      connection: await Connection.connect({ address: server.address }),
      namespace: server.namespace,
    });
    return new OrderRunner(server, connection, client);
  }

  /**
   * Serves the task queue with the scenario's faults: the previous worker stops first (a process may
   * run only one worker per task queue), so the orders it ran stay as they ended. A fresh ledger,
   * unless `ledgerPath` names the one to carry on with.
   */
  async useWorker(scenario: Scenario, options: { ledgerPath?: string } = {}): Promise<void> {
    await this.stopWorker();
    const services = freshServices(
      FaultPlan.parse(scenario.faults),
      options.ledgerPath,
      scenario.latency ? LatencyPlan.parse(scenario.latency) : LatencyPlan.none(),
    );
    const lessonWorker = lessonWorkerOf(scenario.lesson ?? '06');
    const worker = await createLessonWorker(lessonWorker, {
      connection: this.connection,
      namespace: this.server.namespace,
      services,
      workflowBundle: await workflowBundle(lessonWorker.workflowsPath),
    });
    this.current = { worker, running: worker.run(), services };
  }

  /** The ledger the current worker's services write (for a client that prints its audit). */
  get ledgerPath(): string | undefined {
    return this.current?.services.ledger.path;
  }

  /** Stops the current worker; its orders stay as they are. */
  async stopWorker(): Promise<void> {
    const w = this.current;
    this.current = undefined;
    if (!w) return;
    if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
    await w.running.catch(() => undefined);
    w.services.close();
  }

  /** Starts the order's parent workflow on the lesson's task queue. */
  async start(scenario: Scenario): Promise<{ order: Order; outcome: Promise<OrderOutcome<OrderResult>> }> {
    const order = sampleOrder(scenario.orderId);
    const lesson = scenario.lesson ?? '06';
    const handle = await this.client.workflow.start(LESSONS[lesson].workflowType, {
      taskQueue: LESSONS[lesson].taskQueue,
      workflowId: orderWorkflowId(lesson, order.orderId),
      args: [order],
    });
    return { order, outcome: orderOutcome<OrderResult>(handle) };
  }

  /** Runs the scenario to its end with a worker of its own. */
  async run(scenario: Scenario): Promise<OrderOutcome<OrderResult>> {
    await this.useWorker(scenario);
    return (await this.start(scenario)).outcome;
  }

  async stop(): Promise<void> {
    await this.stopWorker();
    await this.client.connection.close();
    await this.connection.close();
  }
}
