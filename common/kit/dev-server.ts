/**
 * A private Temporal dev server: the provisioned `temporal` binary (./temporal-cli) started as a child
 * process on free ports, its banner and log lines written to a log file instead of your terminal, and
 * stopped by its PID. Tests (one per run), the grader, the demos and the screenshot script start theirs
 * here; `TestWorkflowEnvironment.createFromExistingServer` then gives them a client and a worker connection.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KitError } from '../../services/errors';
import { installWorkerLogging } from '../worker';
import { isListening } from './net';
import { ensureTemporalCli, type Log } from './temporal-cli';

export type LogLevel = 'ERROR' | 'WARN' | 'INFO';

export interface DevServerOptions {
  /** Serve the Web UI too (on `uiPort`, or a free port). Default: no UI. */
  ui?: boolean;
  port?: number;
  uiPort?: number;
  /** Keep state in this SQLite file (default: in memory, gone when the server stops). */
  dbFile?: string;
  /** SQLite pragmas for that file, e.g. `['journal_mode=wal', 'synchronous=normal']`. */
  sqlitePragmas?: string[];
  /** Extra namespaces to create at start (`default` always exists). */
  namespaces?: string[];
  /** Server settings (`--dynamic-config-value KEY=JSON`), e.g. { 'history.timerProcessorMaxTimeShift': '10ms' }. */
  dynamicConfig?: Record<string, string | number>;
  /** Where the server's own output goes (default: a file in the OS temp directory). */
  logFile?: string;
  /** Progress lines, e.g. when the Temporal CLI has to be built first. */
  log?: Log;
}

export interface DevServer {
  address: string;
  namespace: string;
  uiUrl?: string;
  logFile: string;
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits until it is gone. */
  stop(): Promise<void>;
  /** Lets this process exit while the server keeps running (`--keep`). */
  detach(): void;
}

/**
 * A TCP port nothing listens on right now (`port`, or any the OS picks), kept from the OS's "any free
 * port" choices for a minute. Rejects (EADDRINUSE) when `port` is taken.
 *
 * Just closing a port picked with listen(0) is not enough: the dev server picks its own internal ports
 * the same way (history, matching, HTTP, metrics), and the OS may hand it the number this function just
 * returned, before the server binds its gRPC port there. So, as the Temporal CLI does for its own ports:
 * connect to the port and close the accepted side first. That side's socket waits in TIME_WAIT (60 s on
 * Linux), and meanwhile the OS gives the port to nobody asking for any port, while a server that asks for
 * it by number (SO_REUSEADDR, which Node and Go set) still gets it. Calling this again with the port
 * renews the minute.
 */
export function freePort(port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((accepted) => accepted.end());
    server.unref();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      const client = net.connect(bound, '127.0.0.1');
      client.once('error', reject);
      // The client closes after the accepted side did; then the port is reserved and free.
      client.once('close', () => server.close(() => resolve(bound)));
    });
  });
}

/** The last lines of a log file, for error messages. */
export function tailOf(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * The dev server did not start: it exited, or its port never opened. It carries the address, why, and
 * the log file (kept for reading), so a caller can say so in its own words; the message adds the log's
 * last lines.
 */
export class DevServerStartError extends KitError {
  constructor(
    readonly address: string,
    /** `it exited with code 1`, or `no answer in 60 s`. */
    readonly reason: string,
    readonly logFile: string,
  ) {
    super(`the Temporal dev server did not start at ${address} (${reason}); its log, ${logFile}:\n${tailOf(logFile)}`);
  }

  /** What failed, in one line without the log: `the Temporal dev server did not start at … (…)`. */
  get headline(): string {
    return `the Temporal dev server did not start at ${this.address} (${this.reason})`;
  }
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const binary = await ensureTemporalCli(options.log);
  const port = options.port ?? (await freePort());
  const uiPort = options.ui ? (options.uiPort ?? (await freePort())) : undefined;
  const logFile = options.logFile ?? path.join(os.tmpdir(), `order-kit-temporal-${port}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'w');
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  args.push(...(uiPort ? ['--ui-port', String(uiPort)] : ['--headless']));
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
    for (const pragma of options.sqlitePragmas ?? []) args.push('--sqlite-pragma', pragma);
  }
  for (const ns of options.namespaces ?? []) args.push('--namespace', ns);
  for (const [key, value] of Object.entries(options.dynamicConfig ?? {}))
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', out, out], detached: true });
  fs.closeSync(out);
  let exited = child.exitCode !== null;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  // If this process dies first, do not leave the server behind.
  const reap = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', reap);

  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await isListening('127.0.0.1', port, 500))) {
    if (exited || Date.now() > deadline) {
      reap();
      throw new DevServerStartError(
        address,
        exited ? `it exited with code ${child.exitCode}` : 'no answer in 60 s',
        logFile,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    address,
    namespace: 'default',
    ...(uiPort ? { uiUrl: `http://127.0.0.1:${uiPort}` } : {}),
    logFile,
    pid: child.pid!,
    stop: async () => {
      process.removeListener('exit', reap);
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => !exited && child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(timer);
      // A log in the temp folder was ours to make: once the server is stopped it goes too (a log file
      // the caller named stays). A server that failed to start keeps its log: the error points at it.
      if (!options.logFile) fs.rmSync(logFile, { force: true });
    },
    detach: () => {
      process.removeListener('exit', reap);
      child.unref();
    },
  };
}

export interface LocalEnvironment {
  server: DevServer;
  env: TestWorkflowEnvironment;
  teardown(): Promise<void>;
}

/**
 * A private dev server plus the SDK's test environment on it (a client and a worker connection).
 * The worker runtime's log is set here once, before any worker exists.
 */
export async function startLocalEnvironment(
  options: DevServerOptions & { logLevel?: LogLevel } = {},
): Promise<LocalEnvironment> {
  installWorkerLogging(options.logLevel ?? 'ERROR');
  const server = await startDevServer(options);
  let env: TestWorkflowEnvironment;
  // The port opens before the frontend is ready: on a busy machine the first call can say "Frontend is
  // not healthy yet". Ask again for a while before giving up.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      env = await TestWorkflowEnvironment.createFromExistingServer({
        address: server.address,
        namespace: server.namespace,
      });
      break;
    } catch (err) {
      if (Date.now() < deadline && /not healthy yet|unavailable/i.test(String(err))) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      await server.stop();
      throw err;
    }
  }
  return {
    server,
    env,
    teardown: async () => {
      await env.teardown().catch(() => undefined);
      await server.stop();
    },
  };
}
