/**
 * A module's exported functions, called in a helper process of their own. The grader's two CPU-heavy
 * jobs, type-checking (./pitfalls.ts) and bundling the workflows (./bundle-build.ts), each get one, so
 * they overlap with each other and with starting the server, and never block the main thread, where
 * the worker runs the scenarios' activities against the clock.
 *
 * The helper starts on first use and stays for later calls (it keeps what it loaded: the compiler,
 * webpack, parsed type definitions). It does not keep this process alive while idle, it is killed
 * when this process exits, and it exits by itself if this process goes away. (A process rather than
 * a worker thread: a thread busy type-checking cannot be stopped at once, and Ctrl-C must not wait.)
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';

type Reply = { id: number; value: unknown } | { id: number; error: string };

export class HelperProcess {
  private child?: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  /**
   * `modulePath`: absolute path of the module, without extension. `nice`: a lower priority (1–19) for
   * work that nothing waits on until the end: it then runs while the scenarios wait on retry backoff.
   */
  constructor(
    private readonly modulePath: string,
    private readonly nice = 0,
  ) {}

  /** Calls sent and not yet answered. */
  get busy(): number {
    return this.pending.size;
  }

  call<T>(fn: string, ...args: unknown[]): Promise<T> {
    const child = (this.child ??= this.start());
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.hold(child, true); // an answer is due: keep this process alive until it comes
      child.send({ id, fn, args });
    });
  }

  /** Stops the helper at once (whatever it is doing); calls still waiting fail with a `HelperStopped` error. */
  stop(): void {
    const child = this.child;
    this.child = undefined;
    const stopped = Object.assign(new Error(`the ${path.basename(this.modulePath)} helper was stopped`), {
      name: 'HelperStopped',
    });
    for (const waiting of this.pending.values()) waiting.reject(stopped);
    this.pending.clear();
    child?.kill('SIGKILL');
  }

  private hold(child: ChildProcess, keep: boolean): void {
    const channel = child.channel as { ref(): void; unref(): void } | undefined;
    if (keep) {
      child.ref();
      channel?.ref();
    } else {
      child.unref();
      channel?.unref();
    }
  }

  private start(): ChildProcess {
    const ext = path.extname(__filename);
    const root = path.join(__dirname, '..', '..');
    const child = fork(path.join(__dirname, `helper-serve${ext}`), [`${this.modulePath}${ext}`], {
      // Under ts-node the helper needs it too; its settings come from the repository's tsconfig.json.
      execArgv: ext === '.ts' ? ['-r', require.resolve('ts-node/register')] : [],
      env: { ...process.env, TS_NODE_PROJECT: path.join(root, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: 'true' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    if (this.nice && child.pid) {
      try {
        os.setPriority(child.pid, this.nice);
      } catch {
        // not allowed here: it runs at normal priority
      }
    }
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    child.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.hold(child, false);
      if (!waiting) return;
      if ('error' in reply) waiting.reject(new Error(reply.error));
      else waiting.resolve(reply.value);
    });
    const fail = (err: Error) => {
      process.removeListener('exit', kill);
      if (this.child === child) this.child = undefined;
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    };
    child.on('error', fail);
    child.on('exit', (code, signal) =>
      fail(new Error(`the ${path.basename(this.modulePath)} helper stopped (${signal ?? `exit code ${code}`})`)),
    );
    this.hold(child, false);
    return child;
  }
}
