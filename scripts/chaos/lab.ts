/**
 * The processes of one chaos case: its dev server (on a file database, killed and restarted on demand)
 * and the lesson's workers, with the peak memory and CPU time each used, for the report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDevServer, type DevServer } from '../../common/kit/dev-server';
import { startTsProcess, type ProcessHandle } from '../../common/kit/processes';

interface Usage {
  /** Peak resident memory (VmHWM). */
  peakKiB: number;
  /** User and system CPU time so far. */
  cpuSeconds: number;
}

/** The server, the workers, and what they used, of one case. */
export class Lab {
  server!: DevServer;
  workers: ProcessHandle[] = [];
  workerStarts = 0;
  /** How many databases the case's servers have used (a restart on an empty one adds one). */
  private databases = 1;
  /** Peak memory and CPU time of every process the case ran, read just before it was stopped or killed. */
  private readonly usage = new Map<number, Usage & { kind: 'worker' | 'server' }>();

  constructor(
    readonly dir: string,
    readonly env: NodeJS.ProcessEnv,
    private readonly log: (line: string) => void,
    private readonly workerFile: string,
  ) {}

  async startServer(port?: number): Promise<void> {
    this.server = await startDevServer({
      dbFile: path.join(this.dir, this.databases > 1 ? `temporal-${this.databases}.db` : 'temporal.db'),
      // Write-ahead log, synced at checkpoints rather than on every commit: a killed server process
      // loses nothing (its writes are already in the OS's page cache), and a small disk keeps up with
      // 300 orders at once. With the defaults the server spends its time in fsync and starts timing out.
      sqlitePragmas: ['journal_mode=wal', 'synchronous=normal'],
      logFile: path.join(this.dir, 'temporal.log'),
      ...(port ? { port } : {}),
    });
  }

  /**
   * SIGKILL the dev server (nothing flushed, nothing closed) and start it again on the same database, or
   * with `emptyDatabase` on a new one: a server that has forgotten every order.
   */
  async killAndRestartServer(downMs: number, options: { emptyDatabase?: boolean } = {}): Promise<void> {
    const { pid } = this.server;
    this.record('server', pid);
    const port = Number(this.server.address.split(':').pop());
    process.kill(pid, 'SIGKILL');
    await this.server.stop(); // returns once the process is gone
    const on = options.emptyDatabase ? 'an empty database' : 'the same database';
    this.log(`server pid ${pid} killed with SIGKILL; restarting in ${downMs / 1000} s on ${on}`);
    await sleep(downMs);
    if (options.emptyDatabase) this.databases++;
    await this.startServer(port);
    this.log(`server back at ${this.server.address} (pid ${this.server.pid})`);
  }

  async startWorker(): Promise<ProcessHandle> {
    const worker = startTsProcess(this.workerFile, { ...this.env, TEMPORAL_ADDRESS: this.server.address });
    this.workers.push(worker);
    this.workerStarts++;
    await worker.waitFor('worker polling', 120_000);
    return worker;
  }

  /** SIGKILL: a crash, with activities and workflow tasks in flight. */
  async killWorker(worker: ProcessHandle): Promise<void> {
    this.record('worker', worker.pid);
    await worker.kill();
    this.workers = this.workers.filter((w) => w !== worker);
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) {
      this.record('worker', worker.pid);
      await worker.stop(10_000);
    }
    this.workers = [];
    if (this.server) {
      this.record('server', this.server.pid);
      await this.server.stop();
    }
  }

  private record(kind: 'worker' | 'server', pid: number): void {
    const usage = usageOf(pid);
    if (usage) this.usage.set(pid, { kind, ...usage });
  }

  /** The highest peak memory of one process of `kind`, in MiB. */
  peakMiB(kind: 'worker' | 'server'): number {
    const peaks = [...this.usage.values()].filter((u) => u.kind === kind).map((u) => u.peakKiB);
    return Math.round(Math.max(0, ...peaks) / 1024);
  }

  /** CPU time of every process of `kind`, in seconds. */
  cpuSeconds(kind: 'worker' | 'server'): number {
    const total = [...this.usage.values()].filter((u) => u.kind === kind).reduce((sum, u) => sum + u.cpuSeconds, 0);
    return Math.round(total);
  }
}

/** What a live process has used, from /proc; undefined when it cannot be read (it is gone, or not Linux). */
function usageOf(pid: number): Usage | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    // /proc/<pid>/stat: fields 14 and 15 (after the command in parentheses) are utime and stime, in ticks.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { peakKiB: Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0), cpuSeconds: ticks / 100 };
  } catch {
    return undefined;
  }
}
