/**
 * What one row costs this process (the worker, or the monolith) and the dev server: CPU time and peak
 * resident memory, read from /proc on Linux.
 */
import fs from 'node:fs';

const MiB = 1024 * 1024;

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

function statusKiB(pid: number | 'self', field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Resets the kernel's peak-RSS mark (VmHWM) of a process we own; false where that is not possible. */
function resetPeak(pid: number | 'self'): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU time a process has used so far, in ms (user + system, every thread), from /proc/<pid>/stat. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

function selfCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export interface MeterReading {
  workerMiB: number;
  serverMiB: number | null;
  workerCpuMs: number;
  serverCpuMs: number | null;
}

/**
 * CPU time, which a busy machine disturbs far less than wall time, and peak resident memory: the
 * kernel's high-water mark, reset at the start of the row (Linux), and sampled every 100 ms as a
 * fallback elsewhere.
 */
export class Meter {
  private timer?: NodeJS.Timeout;
  private selfMax = 0;
  private serverMax = 0;
  private selfReset = false;
  private serverReset = false;
  private selfCpu = 0;
  private serverCpu: number | undefined;

  constructor(private readonly serverPid?: number) {}

  start(): void {
    this.selfCpu = selfCpuMs();
    this.serverCpu = this.serverPid === undefined ? undefined : processCpuMs(this.serverPid);
    this.selfReset = resetPeak('self');
    this.serverReset = this.serverPid !== undefined && resetPeak(this.serverPid);
    this.selfMax = process.memoryUsage.rss();
    this.serverMax = this.serverRss();
    // A sampler for the whole row, not a wait: the high-water mark above is not readable everywhere.
    this.timer = setInterval(() => {
      this.selfMax = Math.max(this.selfMax, process.memoryUsage.rss());
      this.serverMax = Math.max(this.serverMax, this.serverRss());
    }, 100);
    this.timer.unref();
  }

  stop(): MeterReading {
    clearInterval(this.timer);
    const workerCpuMs = selfCpuMs() - this.selfCpu;
    const serverNow = this.serverPid === undefined ? undefined : processCpuMs(this.serverPid);
    const serverCpuMs = serverNow === undefined || this.serverCpu === undefined ? null : serverNow - this.serverCpu;
    const selfHwm = this.selfReset ? (statusKiB('self', 'VmHWM') ?? 0) * 1024 : 0;
    const serverHwm =
      this.serverReset && this.serverPid !== undefined ? (statusKiB(this.serverPid, 'VmHWM') ?? 0) * 1024 : 0;
    const worker = Math.max(this.selfMax, selfHwm);
    const server = Math.max(this.serverMax, serverHwm);
    return {
      workerMiB: worker / MiB,
      serverMiB: this.serverPid === undefined || server === 0 ? null : server / MiB,
      workerCpuMs,
      serverCpuMs,
    };
  }

  private serverRss(): number {
    return this.serverPid === undefined ? 0 : (statusKiB(this.serverPid, 'VmRSS') ?? 0) * 1024;
  }
}
