/**
 * Running the docs' commands as a learner would, in a copy of this repository: a session has one
 * `npm run server` (on free ports, so nobody's server is touched) and the commands run in order, the
 * long-running ones (server, workers, `grade --watch`, `solution --keep`) in the background until
 * their ready line, the others to the end. The lesson's exercises are, at each command, what the
 * learner has at that point of the doc: the starter before Part A, the Parts done so far inside a
 * Part, everything after the last Part (tests/e2e/lesson-state.ts).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LESSON_IDS, LESSONS, type LessonId } from '../../common/lessons';
import { freePort } from '../../common/kit/dev-server';
import { isListening } from '../../common/kit/net';
import { ROOT, type DocCommand } from './doc-text';
import { completeThrough } from './lesson-state';

/** The repository's files (tracked and new, not ignored) copied to a scratch directory, with node_modules linked. */
export function copyOfRepo(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-docs-'));
  const listed = spawnSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter(Boolean)) {
    const from = path.join(ROOT, file);
    if (!fs.existsSync(from) || !fs.statSync(from).isFile()) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, file));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** `--lesson NN` of a command, or 06 (every command's default). */
export function lessonOf(command: string): LessonId {
  const m = /--lesson[ =](\d+)/.exec(command);
  return (m && (LESSON_IDS as readonly string[]).includes(m[1]) ? m[1] : '06') as LessonId;
}

/**
 * Which Parts of `doc`'s lesson are done at `line`: undefined (the starter) before the first
 * `## Part X:` section, X inside it, every Part after the last one. Docs that are not a lesson's: all.
 */
export function partsDoneAt(doc: string, line: number): { lesson?: LessonId; lastPart?: string; all: boolean } {
  const lesson = LESSON_IDS.find((id) => LESSONS[id].doc === doc);
  if (!lesson) return { all: true };
  const lines = fs
    .readFileSync(path.join(ROOT, doc), 'utf8')
    .split('\n')
    .slice(0, line - 1);
  let inFence = false;
  let state: { lastPart?: string; all: boolean } = { all: false };
  for (const text of lines) {
    if (/^\s*```/.test(text)) inFence = !inFence;
    const h2 = !inFence && /^## (.*)$/.exec(text);
    if (!h2) continue;
    const part = /^Part ([A-Z]):/.exec(h2[1]);
    if (part) state = { lastPart: part[1], all: false };
    else if (state.lastPart) state = { all: true };
  }
  return { lesson, ...state };
}

export interface Run {
  output: string;
  /** The exit code, or null while it runs or when a signal ended it. */
  code: number | null;
  signal?: NodeJS.Signals | null;
}

interface Background {
  command: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  signal: () => NodeJS.Signals | null;
}

// The kit's own variables, and the npm_config_* that `npm run` passes on (a learner's shell has none:
// under `npm run --silent` they would silence npm's own messages in every command run here).
const KIT_ENV = /^(TEMPORAL_|ORDER_|LEDGER_PATH$|TASK_QUEUE$|CHROMIUM_PATH$|npm_config_)/i;

/** Doc commands in one copy of the repo, with one server: one doc's, or the whole learner path's. */
export class DocSession {
  readonly port: Promise<number>;
  readonly uiPort: Promise<number>;
  private server?: Background;
  /** Running workers, keyed by `workerKey`. */
  private workers = new Map<string, Background>();
  private others: Background[] = [];
  private exerciseState = new Map<LessonId, string>();

  constructor(
    readonly doc: string,
    readonly copy: string,
  ) {
    // Each doc starts from a clean slate, as a learner reading it would: no server database, ledgers
    // or grader progress left by the doc before.
    for (const dir of ['.temporal', '.data', '.grade'])
      fs.rmSync(path.join(copy, dir), { recursive: true, force: true });
    this.port = freePort();
    this.uiPort = this.port.then(async (p) => {
      let ui = await freePort();
      while (ui === p) ui = await freePort();
      return ui;
    });
  }

  /**
   * The port again, reserved for another minute just before a server binds it: the doc's commands before
   * its `npm run server` (the grader's own servers among them) can take longer than the first reservation.
   * Once this doc's server runs, the port is its own: a second `npm run server` finds it listening.
   */
  async reservePort(which: 'port' | 'uiPort'): Promise<number> {
    const port = await this[which];
    if (this.server) return port;
    return freePort(port).catch((err: Error) => {
      throw new Error(
        `${which === 'port' ? 'gRPC' : 'Web UI'} port ${port} of this doc's server is taken: ${err.message}`,
      );
    });
  }

  async env(): Promise<NodeJS.ProcessEnv> {
    const env: NodeJS.ProcessEnv = {};
    for (const [key, value] of Object.entries(process.env)) if (!KIT_ENV.test(key)) env[key] = value;
    env.TEMPORAL_ADDRESS = `127.0.0.1:${await this.port}`;
    env.FORCE_COLOR = '0';
    return env;
  }

  /** The exercises of every lesson as the learner has them at this command. */
  prepareExercises(command: DocCommand): void {
    const at = partsDoneAt(command.doc, command.line);
    for (const lesson of LESSON_IDS) {
      const folder = LESSONS[lesson].folder;
      const lastPart = lesson === at.lesson && !at.all ? (at.lastPart ?? '') : 'all';
      if (this.exerciseState.get(lesson) === lastPart) continue;
      const dir = path.join(this.copy, 'exercises', folder);
      if (!fs.existsSync(path.join(ROOT, 'exercises', folder))) continue;
      fs.rmSync(dir, { recursive: true, force: true });
      fs.cpSync(path.join(ROOT, 'exercises', folder), dir, { recursive: true });
      const parts = Object.keys(LESSONS[lesson].parts).sort();
      completeThrough(
        dir,
        path.join(ROOT, 'solution', folder),
        lastPart === 'all' ? parts[parts.length - 1] : lastPart || undefined,
      );
      this.exerciseState.set(lesson, lastPart);
    }
  }

  private spawn(command: string, env: NodeJS.ProcessEnv): Background {
    const child = spawn('bash', ['-c', command], { cwd: this.copy, env, detached: true });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    let signal: NodeJS.Signals | null = null;
    const exited = new Promise<number | null>((resolve) =>
      child.on('close', (code, by) => {
        signal = by;
        resolve(code);
      }),
    );
    return { command, child, output: () => output, exited, signal: () => signal };
  }

  /** Runs a command to its end (at most `timeoutMs`). */
  async run(command: string, timeoutMs = 240_000): Promise<Run> {
    const bg = this.spawn(command, await this.env());
    const timer = setTimeout(() => void stopGroup(bg), timeoutMs);
    const code = await bg.exited;
    clearTimeout(timer);
    return { output: bg.output(), code };
  }

  /**
   * Starts a long-running command and waits for `ready` in its output (or its end). It keeps running
   * until `stop()`, or until `replaces` says so.
   */
  async start(command: string, ready: RegExp, kind: 'server' | LessonId | 'other', timeoutMs = 180_000): Promise<Run> {
    const key = kind === 'server' || kind === 'other' ? undefined : workerKey(kind, command);
    if (key) {
      // A learner stops the lesson's worker (Ctrl-C) before starting it again, except a worker of another
      // build under Worker Versioning, which runs beside it in its own terminal. The ledger stays: each
      // lesson's default ledger accumulates across its page, and the pages' audits show it so.
      for (const [other, bg] of [...this.workers]) {
        if (!other.startsWith(`${kind}@`) && other !== kind) continue;
        if (key.includes('@') && other.includes('@') && other !== key) continue;
        await stopGroup(bg);
        this.workers.delete(other);
      }
    }
    const bg = this.spawn(command, await this.env());
    const deadline = Date.now() + timeoutMs;
    let code: number | null | undefined;
    void bg.exited.then((c) => (code = c));
    while (code === undefined && !ready.test(bg.output()) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    if (code === undefined && ready.test(bg.output())) {
      if (kind === 'server') {
        // Ready once its port answers; a server that exits first (a port taken, a bad flag) is reported
        // with everything it printed, not found missing by the commands after it.
        const port = await this.port;
        while (code === undefined && !(await isListening('127.0.0.1', port, 500)) && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 200));
        if (code !== undefined) return { output: bg.output(), code };
        this.server = bg;
      } else if (kind === 'other') this.others.push(bg);
      else this.workers.set(key!, bg);
      return { output: bg.output(), code: null };
    }
    if (code === undefined) await stopGroup(bg);
    return { output: bg.output(), code: code ?? null };
  }

  /** Stops a background command the way a learner would (Ctrl-C) and returns everything it printed. */
  async interrupt(kind: 'other'): Promise<Run> {
    const bg = this.others.pop();
    if (!bg) throw new Error(`no ${kind} command is running`);
    const code = await stopGroup(bg);
    return { output: bg.output(), code, signal: bg.signal() };
  }

  /** Stops every worker and background command (Ctrl-C), the server stays: a learner moving on to the next page. */
  async stopBackground(): Promise<void> {
    for (const bg of [...this.others, ...this.workers.values()]) await stopGroup(bg);
    this.others = [];
    this.workers.clear();
  }

  hasServer(): boolean {
    return this.server !== undefined;
  }

  async stop(): Promise<void> {
    await this.stopBackground();
    if (this.server) await stopGroup(this.server);
    this.server = undefined;
  }
}

/**
 * Which worker a command starts: its lesson, and under Worker Versioning (`ORDER_VERSIONING=…`) its build
 * (`08@v1`), since each build is a deployment version of its own, run side by side.
 */
function workerKey(lesson: LessonId, command: string): string {
  if (!/\bORDER_VERSIONING=\S/.test(command)) return lesson;
  return `${lesson}@${/\bORDER_BUILD=(\S+)/.exec(command)?.[1] ?? 'default'}`;
}

/** SIGINT to the command's process group (what Ctrl-C sends), SIGKILL after 15 s. */
async function stopGroup(bg: Background): Promise<number | null> {
  const pid = bg.child.pid!;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s);
    } catch {
      // already gone
    }
  };
  signal('SIGINT');
  const timer = setTimeout(() => signal('SIGKILL'), 15_000);
  const code = await bg.exited;
  clearTimeout(timer);
  // Anything of the group still alive (a grandchild that ignored SIGINT) goes too.
  signal('SIGKILL');
  return code;
}
