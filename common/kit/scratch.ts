/**
 * Throwaway ledgers and cached workflow bundles, for every program that runs lessons on its own: the
 * tests, the grader's helpers, and the maintainers' recorders (histories, screenshots).
 */
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServices, FaultPlan, LatencyPlan, Ledger, type Services } from '../../services';

let scratchRoot: string | undefined;

/** A path for a brand-new ledger file that nothing else uses (removed when the process exits). */
export function freshLedgerPath(label = 'ledger'): string {
  if (!scratchRoot) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-scratch-'));
    process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
    scratchRoot = root;
  }
  return path.join(scratchRoot, `${label}-${randomUUID()}.sqlite`);
}

/** Services on a fresh ledger with the given fault plan. Close them (services.close()) when done. */
export function freshServices(
  faults: FaultPlan = FaultPlan.none(),
  ledgerPath = freshLedgerPath(),
  latency: LatencyPlan = LatencyPlan.none(),
): Services {
  return createServices({ ledger: Ledger.open(ledgerPath), faults, latency });
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/** One bundle per workflows file per process: bundling takes seconds, so it is never done twice. */
export function workflowBundle(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  const key = path.resolve(workflowsPath);
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath: key, logger: new DefaultLogger('WARN') });
    bundles.set(key, bundle);
  }
  return bundle;
}
