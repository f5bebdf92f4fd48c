/**
 * Commands run the way a learner runs them in a terminal: `bash -c` from the repository root, in a
 * process group of their own (so Ctrl-C reaches npm and everything it started), stdout and stderr
 * read together as the terminal shows them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { until } from '../../common/kit/wait';
import { ROOT } from './doc-text';

/** A running command: its output so far, and its end. */
export interface Process {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function start(command: string, env: NodeJS.ProcessEnv): Process {
  const child = spawn('bash', ['-c', command], { cwd: ROOT, env, detached: true });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output, exited: new Promise((resolve) => child.on('close', resolve)) };
}

/** Runs `command` to its end: what it printed, and its exit code. */
export async function run(command: string, env: NodeJS.ProcessEnv): Promise<{ output: string; code: number | null }> {
  const p = start(command, env);
  const code = await p.exited;
  return { output: p.output(), code };
}

/** Waits until the command has printed `pattern`; throws when it ends first, or after `timeoutMs`. */
export async function waitFor(p: Process, pattern: RegExp, timeoutMs = 120_000): Promise<void> {
  const printed = await until(
    () => {
      if (pattern.test(p.output())) return true;
      if (p.child.exitCode !== null) throw new Error(`ended before ${pattern}; output:\n${p.output()}`);
      return false;
    },
    { timeoutMs },
  );
  if (!printed) throw new Error(`no ${pattern} within ${timeoutMs / 1000} s; output:\n${p.output()}`);
}

/** Ctrl-C to the process group, SIGKILL after 10 s. */
export async function stop(p: Process): Promise<void> {
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-p.child.pid!, signal);
    } catch {
      // gone
    }
  };
  kill('SIGINT');
  const timer = setTimeout(() => kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(timer);
}
