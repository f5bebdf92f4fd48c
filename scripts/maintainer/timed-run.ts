import { spawn } from 'node:child_process';

/** What a command printed (stdout and stderr, interleaved), its exit code, and its wall time. */
export interface TimedRun {
  out: string;
  code: number | null;
  wallS: number;
}

/** Runs `command` to the end, collecting its output, for the benchmark scripts. */
export function timedRun(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<TimedRun> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ out, code, wallS: Number(process.hrtime.bigint() - started) / 1e9 }));
  });
}
