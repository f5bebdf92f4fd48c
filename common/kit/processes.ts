/**
 * Real processes for the tests that need them: a lesson's own worker entry point (worker.ts) started
 * with `ts-node`, exactly as a learner starts it, with its output kept for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from '../../services';

export interface ProcessHandle {
  child: ChildProcess;
  pid: number;
  /** Everything the process printed so far (stdout and stderr, the last 8 kB). */
  output(): string;
  /** Resolves when the process has printed `marker`; rejects when it exits first or takes too long. */
  waitFor(marker: string | RegExp, timeoutMs?: number): Promise<void>;
  /** SIGKILL (a crash: nothing in flight is finished) and wait until it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful) and wait until it is gone; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Runs a TypeScript entry point of the repository with ts-node in a child process. */
export function startTsProcess(file: string, env: NodeJS.ProcessEnv, args: string[] = []): ProcessHandle {
  const child = spawn(process.execPath, [require.resolve('ts-node/dist/bin'), path.resolve(REPO_ROOT, file), ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    pid: child.pid!,
    output: () => text,
    waitFor: (marker, timeoutMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        const matches = () => (typeof marker === 'string' ? text.includes(marker) : marker.test(text));
        const timer = setInterval(() => {
          if (matches()) {
            clearInterval(timer);
            resolve();
          } else if (gone() || Date.now() - started > timeoutMs) {
            clearInterval(timer);
            reject(new Error(`${file} ${gone() ? 'exited' : 'timed out'} before printing ${String(marker)}:\n${text}`));
          }
        }, 50);
        const started = Date.now();
      }),
    kill: async () => {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
    stop: async (graceMs = 10_000) => {
      if (gone()) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => !gone() && child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
