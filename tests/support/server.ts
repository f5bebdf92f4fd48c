/**
 * The one Temporal dev server of a test run. The mocha root hook (tests/setup/root-hooks.ts)
 * starts it before the first test and tears it down after the last, even when tests fail.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureTemporalCli } from '../../scripts/lib/temporal-cli';

let current: TestWorkflowEnvironment | undefined;
let starting: Promise<TestWorkflowEnvironment> | undefined;

/** Starts the server once per process; later calls return the same one. */
export function startTestServer(): Promise<TestWorkflowEnvironment> {
  starting ??= (async () => {
    const binary = await ensureTemporalCli((line) => process.stderr.write(`${line}\n`));
    // Injected faults make activities fail on purpose: log only errors unless TEST_LOG_LEVEL says otherwise; must happen before the runtime starts.
    const level = (process.env.TEST_LOG_LEVEL as 'ERROR' | 'WARN' | 'INFO' | undefined) ?? 'ERROR';
    Runtime.install({
      logger: new DefaultLogger(level),
      // The SDK core logs failing workflow tasks itself; the grader's broken variants cause them on purpose.
      telemetryOptions: { logging: { filter: { core: level, other: level } } },
    });
    current = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: binary },
        ui: false,
        // Keep the server quiet; its errors still reach stderr.
        log: { format: 'pretty', level: 'error' },
      },
    });
    return current;
  })();
  return starting;
}

/** The running server. Only valid inside tests (the root hook started it). */
export function testEnv(): TestWorkflowEnvironment {
  if (!current) throw new Error('The Temporal test server is not running: is tests/setup/root-hooks.ts loaded?');
  return current;
}

export async function stopTestServer(): Promise<void> {
  const env = current;
  current = undefined;
  starting = undefined;
  if (env) await env.teardown();
}
