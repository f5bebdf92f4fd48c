/**
 * The one Temporal dev server of a test run. The mocha root hook (tests/setup/root-hooks.ts)
 * starts it before the first test and tears it down after the last, even when tests fail.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startLocalEnvironment, type LogLevel } from '../../scripts/lib/local-env';

let current: TestWorkflowEnvironment | undefined;
let starting: Promise<TestWorkflowEnvironment> | undefined;

/** Starts the server once per process; later calls return the same one. */
export function startTestServer(): Promise<TestWorkflowEnvironment> {
  starting ??= (async () => {
    // Log only errors unless TEST_LOG_LEVEL says otherwise.
    const level = (process.env.TEST_LOG_LEVEL as LogLevel | undefined) ?? 'ERROR';
    current = await startLocalEnvironment((line) => process.stderr.write(`${line}\n`), level);
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
