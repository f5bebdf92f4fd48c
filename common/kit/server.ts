/**
 * The one Temporal dev server of a test run (or of a grader run). The mocha root hook
 * (tests/setup/root-hooks.ts) starts it before the first test that needs it and stops it after the
 * last, even when tests fail. Its own output goes to a log file, named when something goes wrong.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startLocalEnvironment, type LocalEnvironment, type LogLevel } from './dev-server';

/** A namespace the test server creates besides `default`. */
export const PROFILE_TEST_NAMESPACE = 'order-kit-profile';

/**
 * Two server defaults that make a busy test server slow without changing what happens. The history
 * service reads its task queues at most 20 times a second: once many orders run, every workflow task,
 * activity task and timer waits about 50 ms before it is handed on (a five-workflow order takes 1.4 s
 * instead of 0.3 s). And it may fire a timer up to a second late: an activity retry due after 500 ms
 * comes after a second. Tests and the grader read the queues as often as there is work, and fire
 * timers when they are due, so retries follow the retry policy as written.
 */
const PROMPT_SERVER = {
  'history.transferProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxPollRPS': 1000,
  'history.visibilityProcessorMaxPollRPS': 1000,
  'history.timerProcessorMaxTimeShift': '10ms',
};

let current: LocalEnvironment | undefined;
let starting: Promise<LocalEnvironment> | undefined;

/** Starts the server once per process; later calls return the same one. */
export async function startTestServer(): Promise<TestWorkflowEnvironment> {
  starting ??= (async () => {
    // Log only errors unless TEST_LOG_LEVEL says otherwise.
    const logLevel = (process.env.TEST_LOG_LEVEL as LogLevel | undefined) ?? 'ERROR';
    current = await startLocalEnvironment({
      logLevel,
      // A second namespace, for the tests that show settings coming from a profile file.
      namespaces: [PROFILE_TEST_NAMESPACE],
      dynamicConfig: PROMPT_SERVER,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    return current;
  })();
  return (await starting).env;
}

/** The running server's test environment (client, worker connection, address). */
export function testEnv(): TestWorkflowEnvironment {
  if (!current) throw new Error('The Temporal test server is not running: call startTestServer() first.');
  return current.env;
}

export function testServerRunning(): boolean {
  return current !== undefined;
}

export async function stopTestServer(): Promise<void> {
  const env = current;
  current = undefined;
  starting = undefined;
  if (env) await env.teardown();
}
