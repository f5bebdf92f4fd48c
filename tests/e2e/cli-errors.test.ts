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
import { WorkflowNotFoundError } from '@temporalio/client';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startDevServer, type DevServer } from '../../common/kit/dev-server';
import { testEnv } from '../../common/kit/server';
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
 * together), killing it after HANG_MS. With `stopOn`, sends SIGTERM once the output matches it; with
 * `onOutput`, runs its action once the output matches its pattern.
 */
function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stopOn?: RegExp,
  onOutput?: { pattern: RegExp; action: () => void },
): Promise<Run> {
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
    let acted = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (onOutput && !acted && onOutput.pattern.test(output)) {
        acted = true;
        onOutput.action();
      }
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

const tsNode = (
  file: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
  stopOn?: RegExp,
  onOutput?: { pattern: RegExp; action: () => void },
) => run(process.execPath, [TS_NODE, file, ...args], env, stopOn, onOutput);

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

  /**
   * Settings and inputs that cannot work, against the test server (so that without the check an order would
   * really start): each refused in one line, at once, with nothing started. A second batch, so that the
   * first one's timings are not measured on a busier machine.
   */
  describe('against a running server', () => {
    const more: Record<string, Run> = {};
    const id = () => `CLI-${randomUUID().slice(0, 8)}`;
    const namespace = `nope-${randomUUID().slice(0, 8)}`;
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-cli-'));
    const ledgerDir = path.join(scratch, 'a-directory');
    const ledgerText = path.join(scratch, 'notes.txt');
    const badToml = path.join(scratch, 'temporal.toml');
    const orders = { ledgerDir: id(), apiKey: id(), terminated: id() };
    /**
     * A bad order ID for each lesson's client (solution and exercises have the same client.ts). Every kind the
     * rule refuses is in tests/unit/orders.test.ts; these once were charged and shipped, or a stack trace.
     */
    const badIds = ["1'; DROP TABLE charges;--", '🚀', 'x'.repeat(5000)];
    const lessonClients = [
      'solution/02-order-processing/client.ts',
      'exercises/06-order-fulfillment/client.ts',
      'solution/07-parallel-fulfillment/client.ts',
    ];
    let address: string;
    let forgotten: { run: Run; workflowId: string } | undefined;
    let terminatedId: string;

    before(async function () {
      this.timeout(90_000);
      address = testEnv().address;
      fs.mkdirSync(ledgerDir);
      fs.writeFileSync(ledgerText, 'not a ledger\n');
      fs.writeFileSync(badToml, '[profile.default]\naddress = "127.0.0.1:7233"\nnamespace = default\n');
      const server = { TEMPORAL_ADDRESS: address, LEDGER_PATH: freshLedgerPath('cli') };
      const queue = () => uniqueTaskQueue('cli-nobody');
      terminatedId = `order-${orders.terminated}`;
      const runs: Record<string, Promise<Run>> = {
        workerHelp: tsNode('scripts/worker.ts', server, ['--help']),
        clientHelp: tsNode('scripts/client.ts', server, ['--help']),
        nsWorker: tsNode('scripts/worker.ts', { ...server, TEMPORAL_NAMESPACE: namespace }),
        nsClient: tsNode('scripts/client.ts', { ...server, TEMPORAL_NAMESPACE: namespace }),
        apiKeyWorker: tsNode('scripts/worker.ts', { ...server, TEMPORAL_API_KEY: 'secret-key-0123' }),
        apiKeyClient: tsNode('scripts/client.ts', { ...server, TEMPORAL_API_KEY: 'secret-key-0123' }, [
          '--order',
          orders.apiKey,
          '--task-queue',
          queue(),
        ]),
        malformedClient: tsNode('scripts/client.ts', { ...server, TEMPORAL_ADDRESS: ':::' }),
        tomlClient: tsNode('scripts/client.ts', { ...server, TEMPORAL_CONFIG_FILE: badToml }),
        ledgerDirClient: tsNode('scripts/client.ts', { ...server, LEDGER_PATH: ledgerDir }, [
          '--order',
          orders.ledgerDir,
          '--task-queue',
          queue(),
        ]),
        ledgerTextWorker: tsNode('scripts/worker.ts', { ...server, LEDGER_PATH: ledgerText }),
        hugeToken: tsNode('scripts/client.ts', server, ['--payment-token', 't'.repeat(20_000)]),
        ...Object.fromEntries(
          lessonClients.map((file, i) => [
            `badId ${file}`,
            tsNode(file, { ...server, TASK_QUEUE: queue() }, [badIds[i]]),
          ]),
        ),
        // A lesson client whose order ends badly (terminated here, as soon as it has started): exit code 1.
        terminated: tsNode('solution/06-order-fulfillment/client.ts', { ...server, TASK_QUEUE: queue() }, [
          orders.terminated,
        ]),
      };
      const terminate = (async () => {
        const handle = testEnv().client.workflow.getHandle(terminatedId);
        for (let i = 0; i < 200; i++) {
          const found = await handle.describe().then(
            () => true,
            () => false,
          );
          if (found) return handle.terminate('cli-errors: an order that ends badly');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      })();
      const forgetting = followWhileTheServerForgets();
      for (const [name, promise] of Object.entries(runs)) more[name] = await promise;
      await terminate;
      forgotten = await forgetting;
      // The command the namespace message names, once the commands that needed it missing are done.
      more.nsCreate = await run(
        'npm',
        ['run', '--silent', 'temporal', '--', 'operator', 'namespace', 'create', '--namespace', namespace],
        { TEMPORAL_ADDRESS: address },
      );
    });

    after(() => fs.rmSync(scratch, { recursive: true, force: true }));

    /**
     * A client follows an order on a private dev server, which then restarts on an empty database (what
     * `npm run server` does when its data directory is deleted): the server no longer knows the workflow.
     */
    async function followWhileTheServerForgets(): Promise<{ run: Run; workflowId: string }> {
      const port = await freePort();
      let server: DevServer | undefined = await startDevServer({ port });
      let restarted: Promise<void> | undefined;
      const orderId = id();
      try {
        const r = await tsNode(
          'scripts/client.ts',
          { TEMPORAL_ADDRESS: server.address, LEDGER_PATH: freshLedgerPath('cli') },
          ['--order', orderId, '--task-queue', uniqueTaskQueue('cli-forgotten')],
          undefined,
          {
            pattern: /^Started /m,
            action: () => {
              restarted = (async () => {
                await server!.stop();
                server = undefined;
                server = await startDevServer({ port });
              })();
            },
          },
        );
        await restarted;
        return { run: r, workflowId: `order-${orderId}` };
      } finally {
        await server?.stop();
      }
    }

    /** What a command costs beyond its --help, started at the same moment: under 5 s. */
    function expectFast(r: Run, baseline: 'workerHelp' | 'clientHelp'): void {
      const help = more[baseline];
      expect(help.code, help.lines.join('\n')).to.equal(0);
      expect(r.seconds - help.seconds, `failed after ${r.seconds} s; --help took ${help.seconds} s`).to.be.below(5);
    }

    async function expectNotStarted(workflowId: string): Promise<void> {
      const err = await testEnv()
        .client.workflow.getHandle(workflowId)
        .describe()
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err, `${workflowId} was started`).to.be.instanceOf(WorkflowNotFoundError);
    }

    it('a namespace the server does not have: one line naming it and the command that creates it, which works', () => {
      const message =
        `namespace "${namespace}" does not exist on ${address}: create it on the dev server with ` +
        `\`npx temporal operator namespace create --namespace ${namespace}\`, or unset TEMPORAL_NAMESPACE.`;
      for (const [name, baseline] of [
        ['nsWorker', 'workerHelp'],
        ['nsClient', 'clientHelp'],
      ] as const) {
        expectOneLineError(more[name], message);
        expect(more[name].lines[0]).to.equal(`error: ${message}`);
        expectFast(more[name], baseline);
      }
      const create = more.nsCreate;
      expect(create.code, create.lines.join('\n')).to.equal(0);
      expect(create.lines.join('\n')).to.contain(`Namespace ${namespace} successfully registered`);
    });

    it('an API key against a server without TLS: one line (no Node warning) saying so and how to turn TLS off, never the key', async () => {
      for (const [name, baseline] of [
        ['apiKeyWorker', 'workerHelp'],
        ['apiKeyClient', 'clientHelp'],
      ] as const) {
        const r = more[name];
        expectOneLineError(
          r,
          'TEMPORAL_API_KEY is set, and an API key turns TLS on',
          `the server at ${address} does not speak TLS`,
          'set TEMPORAL_TLS=false',
          'or unset the key',
        );
        expect(r.lines.join('\n')).to.not.contain('secret-key-0123');
        expectFast(r, baseline);
      }
      await expectNotStarted(`order-${orders.apiKey}`);
    });

    it('a malformed TEMPORAL_ADDRESS: one line saying so, and the form an address takes', () => {
      expectOneLineError(more.malformedClient, 'TEMPORAL_ADDRESS ":::" is malformed', 'host:port');
      expectFast(more.malformedClient, 'clientHelp');
    });

    it('a profile file with a TOML syntax error: one line naming the file and the line', () => {
      expectOneLineError(more.tomlClient, `TEMPORAL_CONFIG_FILE ${badToml} is not valid TOML at line 3`);
    });

    it('a LEDGER_PATH that is a directory or not a ledger: one line naming the path, before anything starts', async () => {
      expectOneLineError(more.ledgerDirClient, `the ledger path ${ledgerDir} (LEDGER_PATH) is a directory`);
      expectOneLineError(more.ledgerTextWorker, `the ledger path ${ledgerText} (LEDGER_PATH) is not a ledger`);
      expectFast(more.ledgerDirClient, 'clientHelp');
      await expectNotStarted(`order-${orders.ledgerDir}`);
    });

    it('order IDs and orders the order validation would refuse: refused by every client before it connects', () => {
      lessonClients.forEach((file, i) => {
        const r = more[`badId ${file}`];
        expectOneLineError(r, `the order ID must be 1-64 letters, digits, '.', '_' or '-' (got `);
        expect(r.lines[0].length, `${file}: ${r.lines[0]}`).to.be.below(200);
        expectFast(r, 'clientHelp');
        expect(r.lines[0], file).to.contain(JSON.stringify(badIds[i]).slice(0, 20));
      });
      expectOneLineError(
        more.hugeToken,
        'invalid order: paymentToken is longer than 100 characters (it has 20,000); nothing was started',
      );
    });

    it("a lesson's client exits 1 when its order ends badly (here: terminated), without a stack trace", () => {
      const r = more.terminated;
      const shown = r.lines.join('\n');
      expect(r.signal, shown).to.equal(null);
      expect(r.code, shown).to.equal(1);
      expect(shown).to.contain("kind: 'failed'");
      expect(shown).to.not.match(/^\s+at /m);
    });

    it('a server that forgot the order it was following (restarted on an empty database): one line naming the workflow and `npm run reconcile`', () => {
      const { run: r, workflowId } = forgotten!;
      const shown = r.lines.join('\n');
      expect(r.signal, shown).to.equal(null);
      expect(r.code, shown).to.equal(2);
      expect(shown).to.not.match(/^\s+at /m);
      expect(r.lines.filter((line) => line.startsWith('error: '))).to.deep.equal([
        `error: the Temporal server no longer knows workflow ${workflowId} (was it restarted on an empty database?): ` +
          'what that order charged or reserved may be left behind; `npm run reconcile` undoes it.',
      ]);
      expect(r.lines[r.lines.length - 1]).to.match(/^error: /);
    });
  });
});
