/**
 * A private, throwaway Temporal dev server on a free port (no Web UI), with the worker runtime's
 * logging set once. Tests, the grader and `npm start` all start their server here.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { ensureTemporalCli, type Log } from './temporal-cli';

export type LogLevel = 'ERROR' | 'WARN' | 'INFO';

let runtimeInstalled = false;

/**
 * Injected faults make activities fail on purpose, so keep the worker's log to real problems. The
 * runtime's logger is fixed when the first server or worker starts: call this before either.
 */
export function quietWorkerLogs(level: LogLevel = 'ERROR'): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger(level),
    // The SDK core logs failing workflow tasks itself (the grader's broken variants cause them on purpose).
    telemetryOptions: { logging: { filter: { core: level, other: level } } },
  });
}

export async function startLocalEnvironment(log: Log, level: LogLevel = 'ERROR'): Promise<TestWorkflowEnvironment> {
  const binary = await ensureTemporalCli(log);
  quietWorkerLogs(level);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: binary },
      ui: false,
      // Keep the server quiet; its errors still reach stderr.
      log: { format: 'pretty', level: 'error' },
    },
  });
}
