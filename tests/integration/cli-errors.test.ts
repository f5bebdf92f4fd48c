/**
 * How the kit's commands fail: the real CLIs, spawned as a learner runs them, against a port where no
 * server listens, with a bad setting, or asked to stop. An expected error is one or two lines naming the
 * address, value or file and the next step, exit code 2, never a stack trace, and never a hang.
 *
 * Every process starts in the one `before` hook and they run at the same time. How long a command takes
 * to fail is measured against the same command's `--help`, started at the same moment: the difference
 * is what the failure itself costs (the 5 s connection deadline at most), whatever the machine's load
 * does to starting TypeScript.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort } from '../support/dev-server';
import { testEnv } from '../support/server';
import { freshLedgerPath, uniqueTaskQueue } from '../support/harness';

const REPO_ROOT = path.resolve(__dirname, '../..');
const TS_NODE = require.resolve('ts-node/dist/bin');
/** A process still running after this long is a hang: it is killed and the test says so. */
const HANG_MS = 30_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Non-empty lines of stdout and stderr together. */
  lines: string[];
  seconds: number;
  /** Seconds from SIGTERM to exit, for a process that was asked to stop. */
  stopSeconds?: number;
}

/**
 * Runs a command to its end in its own process group (so `npm run` and the node process under it go
 * together), killing it after HANG_MS. With `stopOn`, sends SIGTERM once the output matches it.
 */
function run(command: string, args: string[], env: NodeJS.ProcessEnv, stopOn?: RegExp): Promise<Run> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let stoppedAt: number | undefined;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (stopOn && stoppedAt === undefined && stopOn.test(output)) {
        stoppedAt = Date.now();
        process.kill(-child.pid!, 'SIGTERM');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const hang = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), HANG_MS);
    child.once('close', (code, signal) => {
      clearTimeout(hang);
      resolve({
        code,
        signal,
        lines: output.split('\n').filter((line) => line.trim() !== ''),
        seconds: (Date.now() - started) / 1000,
        ...(stoppedAt !== undefined ? { stopSeconds: (Date.now() - stoppedAt) / 1000 } : {}),
      });
    });
  });
}

const tsNode = (file: string, env: NodeJS.ProcessEnv, args: string[] = [], stopOn?: RegExp) =>
  run(process.execPath, [TS_NODE, file, ...args], env, stopOn);

/** One line, `error: …`, exit code 2, no stack trace. */
function expectOneLineError(r: Run, ...mentions: string[]): void {
  const shown = JSON.stringify(r.lines, null, 2);
  expect(r.signal, `killed as a hang after ${HANG_MS / 1000} s: ${shown}`).to.equal(null);
  expect(r.code, shown).to.equal(2);
  expect(r.lines, shown).to.have.length(1);
  expect(r.lines[0]).to.match(/^error: /);
  expect(r.lines.join('\n')).to.not.match(/^\s+at /m);
  for (const text of mentions) expect(r.lines[0]).to.contain(text);
}

describe('the commands fail in one line, never with a stack trace or a hang', function () {
  this.timeout(60_000);

  let closed: string;
  let closedElsewhere: string;
  const results: Record<string, Run> = {};

  before(async () => {
    const port = await freePort();
    closed = `127.0.0.1:${port}`;
    // `npm run solution` starts a dev server of its own when nothing answers at a 127.0.0.1 address
    // (that is its job); at any other address with nothing listening it has to give up and say so.
    closedElsewhere = `127.0.0.2:${port}`;
    const noServer = { TEMPORAL_ADDRESS: closed, LEDGER_PATH: freshLedgerPath('cli') };
    const runs: Record<string, Promise<Run>> = {
      worker: tsNode('scripts/worker.ts', noServer),
      workerHelp: tsNode('scripts/worker.ts', noServer, ['--help']),
      client: tsNode('scripts/client.ts', noServer),
      clientHelp: tsNode('scripts/client.ts', noServer, ['--help']),
      lessonWorker: tsNode('solution/06-order-fulfillment/worker.ts', noServer),
      solution: run('npm', ['run', '--silent', 'solution'], { TEMPORAL_ADDRESS: closedElsewhere }),
      solutionHelp: run('npm', ['run', '--silent', 'solution', '--', '--help'], { TEMPORAL_ADDRESS: closedElsewhere }),
      badFaults: tsNode('solution/06-order-fulfillment/worker.ts', {
        ...noServer,
        ORDER_FAULTS: 'payment=0.1,refund=sometimes',
      }),
      badLedger: tsNode('solution/06-order-fulfillment/worker.ts', { ...noServer, LEDGER_PATH: '/proc/x/l.sqlite' }),
      // A worker that is up and polling the test server, asked to stop the way a process manager asks.
      sigterm: tsNode(
        'solution/06-order-fulfillment/worker.ts',
        {
          TEMPORAL_ADDRESS: testEnv().address,
          TASK_QUEUE: uniqueTaskQueue('cli-sigterm'),
          LEDGER_PATH: freshLedgerPath('cli'),
        },
        [],
        /worker polling/,
      ),
    };
    for (const [name, promise] of Object.entries(runs)) results[name] = await promise;
  });

  describe('no server at the address', () => {
    const cases = [
      { name: 'worker', title: 'npm run worker', baseline: 'workerHelp' },
      { name: 'client', title: 'npm run client', baseline: 'clientHelp' },
      { name: 'lessonWorker', title: 'npx ts-node solution/06-order-fulfillment/worker.ts', baseline: 'workerHelp' },
      { name: 'solution', title: 'npm run solution', baseline: 'solutionHelp' },
    ];
    for (const { name, title, baseline } of cases) {
      it(`${title}: one line naming the address and \`npm run server\`, exit 2, within 5 s of starting`, () => {
        const r = results[name];
        const address = name === 'solution' ? closedElsewhere : closed;
        expectOneLineError(r, `cannot reach Temporal at ${address}`, 'npm run server');
        const help = results[baseline];
        expect(help.code, `${baseline}: ${help.lines.join('\n')}`).to.equal(0);
        // What failing costs beyond starting the same command (--help, started at the same moment).
        expect(r.seconds - help.seconds, `failed after ${r.seconds} s; --help took ${help.seconds} s`).to.be.below(5);
      });
    }
  });

  describe('bad settings', () => {
    it('a bad ORDER_FAULTS: one line naming the token', () => {
      expectOneLineError(results.badFaults, 'ORDER_FAULTS', '"refund=sometimes"');
    });

    it('LEDGER_PATH=/proc/x/l.sqlite: one line naming the path and LEDGER_PATH, at once', () => {
      expectOneLineError(results.badLedger, 'cannot open the ledger at /proc/x/l.sqlite', 'Set LEDGER_PATH');
      const help = results.workerHelp;
      expect(results.badLedger.seconds - help.seconds).to.be.below(5);
    });
  });

  describe('stopping', () => {
    it('a polling worker obeys SIGTERM: it stops promptly with exit code 0', () => {
      const r = results.sigterm;
      const shown = r.lines.join('\n');
      expect(r.stopSeconds, `never reached "worker polling": ${shown}`).to.be.a('number');
      expect(r.signal, shown).to.equal(null);
      expect(r.code, shown).to.equal(0);
      expect(r.stopSeconds!, shown).to.be.below(5);
      expect(shown).to.not.match(/^\s+at /m);
    });
  });
});
