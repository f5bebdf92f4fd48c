/**
 * Lesson 06's solution against the real dev server, one scenario at a time: the scenarios of a file
 * share one worker (./harness.ts SharedWorker), and each routes the activity calls of its own orders to
 * a fresh ledger with its own faults. Plus the two ways an order's outcome is read: failed, or completed.
 */
import type { Client } from '@temporalio/client';
import { expect } from 'chai';
import path from 'node:path';
import type { OrderOutcome } from '../../common/client';
import { testEnv } from '../../common/kit/server';
import { FaultPlan, type Services } from '../../services';
import { createActivities } from '../../solution/06-order-fulfillment/activities';
import type { OrderResult } from '../../solution/06-order-fulfillment/shared';
import { SharedWorker, withFreshServices } from './harness';

const WORKFLOWS = path.resolve(__dirname, '../../solution/06-order-fulfillment/workflows');

/** What a scenario's body gets. */
export interface Scenario06<P extends FaultPlan = FaultPlan> {
  services: Services;
  faults: P;
  client: Client;
  taskQueue: string;
  /** A unique order ID whose activity calls go to this scenario's services. */
  newOrderId: (label: string) => string;
}

/**
 * One lesson-06 solution worker (its task queue named after `label`), and `scenario(faults, body)`: a
 * fresh ledger with `faults` (a plan, or its text) for the length of `body`, on that worker.
 */
export function solution06Scenarios(label: string) {
  const worker = new SharedWorker(WORKFLOWS, Object.keys(createActivities({} as Services)), label);
  function scenario<T, P extends FaultPlan = FaultPlan>(
    faults: P | string,
    body: (ctx: Scenario06<P>) => Promise<T>,
  ): Promise<T> {
    const plan = (typeof faults === 'string' ? FaultPlan.parse(faults) : faults) as P;
    return withFreshServices({ faults: plan }, (services) => {
      const newOrderId = worker.orderIds(createActivities(services));
      return worker.use(() =>
        body({ services, faults: plan, client: testEnv().client, taskQueue: worker.taskQueue, newOrderId }),
      );
    });
  }
  return { worker, scenario };
}

export function expectFailed(
  outcome: OrderOutcome<OrderResult>,
): Extract<OrderOutcome<OrderResult>, { kind: 'failed' }> {
  expect(outcome.kind, JSON.stringify(outcome)).to.equal('failed');
  return outcome as Extract<OrderOutcome<OrderResult>, { kind: 'failed' }>;
}

export function expectCompleted(outcome: OrderOutcome<OrderResult>): OrderResult {
  expect(outcome.kind, JSON.stringify(outcome)).to.equal('completed');
  return (outcome as Extract<OrderOutcome<OrderResult>, { kind: 'completed' }>).result;
}
