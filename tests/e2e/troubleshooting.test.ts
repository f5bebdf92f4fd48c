/**
 * Every message docs/troubleshooting.md quotes comes from a run that reproduces it here: each ```text
 * block is compared with the real output of its setup (the same way as tests/e2e/doc-commands.test.ts
 * does, times and IDs normalised), each ```bash command there runs against a private dev server, and
 * the last test fails when a block or command of the page was not reproduced. The setups live next to
 * the page: mistaken workflows in tests/e2e/fixtures/troubleshooting, mistaken copies of the lesson in
 * tests/e2e/troubleshooting-variants.ts; the page's blocks, and which were reproduced, in
 * ./troubleshooting-page.ts; the learner's terminal in ./learner-shell.ts. Slow (minutes):
 * `npm run test:e2e`.
 */
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, type Worker } from '@temporalio/worker';
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { causeChain, orderOutcome } from '../../common/client';
import { startDevServer, type DevServer } from '../../common/kit/dev-server';
import { until } from '../../common/kit/wait';
import { createLessonWorker, type LessonWorker } from '../../common/worker';
import { Ledger, sampleOrder, type Audit } from '../../services';
import { removeVariants, exercisesCopy } from '../criteria/variants';
import { freshServices } from '../support/harness';
import { replayFixtures } from '../support/histories';
import { blocksOf, commandsOf, ROOT } from './doc-text';
import { run, start, stop, waitFor, type Process } from './learner-shell';
import { asDefaultLedger, DOC, docCommand, expectQuoted, wasReproduced } from './troubleshooting-page';
import { asExercises, withMistake, type Mistake } from './troubleshooting-variants';
import { OrderRunner, type Scenario } from './ui-orders';

const FIXTURES = path.join(__dirname, 'fixtures', 'troubleshooting');
const FIXTURE_QUEUE = 'troubleshooting';

describe(`${DOC}: every quoted message is reproduced`, function () {
  this.timeout(300_000);
  let server: DevServer;
  let runner: OrderRunner;
  let client: Client;
  let env: NodeJS.ProcessEnv;
  let fixtureWorker: Process;
  let scratch: string;
  const background: Process[] = [];

  before(async function () {
    this.timeout(180_000);
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-troubleshooting-'));
    server = await startDevServer({ log: () => undefined });
    env = { ...process.env, TEMPORAL_ADDRESS: server.address, FORCE_COLOR: '0' };
    // A learner's shell: none of the kit's variables, and none of the npm_config_* that `npm run` sets
    // (`npm run --silent test:e2e` would pass on a silent log level and hide npm's own warnings).
    for (const key of Object.keys(env))
      if (/^(ORDER_|TASK_QUEUE$|TEMPORAL_NAMESPACE$|npm_config_)/i.test(key)) delete env[key];
    env.LEDGER_PATH = path.join(scratch, 'ledger.sqlite');
    runner = await OrderRunner.on(server);
    client = runner.client;
    // The mistaken workflows' worker, started the way `npm run worker` starts one: its log is what you see.
    fixtureWorker = start('npx ts-node tests/e2e/fixtures/troubleshooting/worker.ts', {
      ...env,
      TASK_QUEUE: FIXTURE_QUEUE,
      LEDGER_PATH: path.join(scratch, 'fixture-ledger.sqlite'),
    });
    await waitFor(fixtureWorker, /worker polling "/);
  });

  after(async () => {
    for (const p of [...background, fixtureWorker].filter(Boolean)) await stop(p);
    await runner?.stop();
    await server?.stop();
    removeVariants('doc-');
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('§1: a Node module in workflow code fails the bundle, and the grader names the line', async () => {
    const fsImport = await bundleWorkflowCode({ workflowsPath: path.join(FIXTURES, 'node-import-workflows.ts') }).then(
      () => 'bundled without an error',
      (err: Error) => err.message,
    );
    expectQuoted(1, 0, `Error: ${fsImport}`);
    const dir = withMistake('doc-node-fs');
    const logged: string[] = [];
    const logger = new DefaultLogger('INFO', (entry) => logged.push(entry.message));
    const nodeScheme = await bundleWorkflowCode({ workflowsPath: path.join(dir, 'workflows'), logger }).then(
      () => 'bundled without an error',
      (err: Error) => `Error: ${err.message}`,
    );
    expectQuoted(1, 1, asExercises(`${logged.join('\n')}\n${nodeScheme}`));
    expectQuoted(1, 2, asExercises((await grade('doc-node-fs')).output));
  });

  it('§2: what does not survive JSON, and the BigInt error', async () => {
    let bigint = '';
    try {
      JSON.stringify({ total: BigInt(105997) });
    } catch (err) {
      bigint = `${(err as Error).name}: ${(err as Error).message}`;
    }
    expectQuoted(2, 0, `> JSON.stringify({ total: 105997n })\n${bigint}`);
    const doc = fs.readFileSync(path.join(ROOT, DOC), 'utf8');
    const refused = await client.workflow
      .start('payloadWorkflow', {
        taskQueue: FIXTURE_QUEUE,
        workflowId: 'doc-bigint',
        args: [{ total: BigInt(105997) }],
      })
      .then(
        () => 'started',
        (err: Error) => `${err.name}: ${err.message}`,
      );
    expect(doc).to.contain(`\`${refused}\``);
    class Money {
      constructor(readonly cents: number) {}
      format(): string {
        return `$${this.cents / 100}`;
      }
    }
    const arrived = await client.workflow.execute('payloadWorkflow', {
      taskQueue: FIXTURE_QUEUE,
      workflowId: 'doc-payload',
      args: [
        {
          date: new Date('2025-01-02T03:04:05Z'),
          map: new Map([['LAPTOP-15', 1]]),
          money: new Money(99999),
          note: undefined,
        },
      ],
    });
    const row = (sent: string) => doc.split('\n').find((l) => l.startsWith(`| \`${sent}`)) ?? `(no row for ${sent})`;
    expect(arrived.date).to.equal('string "2025-01-02T03:04:05.000Z"');
    expect(row("new Date('2025-01-02T03:04:05Z')")).to.contain('the string `"2025-01-02T03:04:05.000Z"`');
    expect(arrived.map).to.equal('object {}');
    expect(row("new Map([['LAPTOP-15', 1]])")).to.contain('`{}`');
    expect(arrived.money).to.equal('object {"cents":99999}');
    expect(row('new Money(99999)')).to.contain('`{"cents":99999}`, a plain object without methods');
    expect(JSON.parse(arrived.keys)).to.deep.equal(['date', 'map', 'money']);
    expect(row('{ note: undefined }')).to.contain('the key is gone');
  });

  it('§3: a missing await: the grader names the line and the ordering criterion fails', async () => {
    expectQuoted(3, 0, asExercises((await grade('doc-no-await')).output));
  });

  it('§4: two workers on one task queue show as two identities', async () => {
    const workers = [1, 2].map((n) =>
      start('npm run worker -- --target solution', { ...env, LEDGER_PATH: path.join(scratch, `two-${n}.sqlite`) }),
    );
    background.push(...workers);
    for (const w of workers) await waitFor(w, /worker polling "/);
    const cmd = docCommand(4, 0);
    const { output, code } = await run(cmd.command, env);
    expect(code, output).to.equal(0);
    expectQuoted(4, 0, output);
    for (const w of workers) await stop(w);
  });

  it('§5: npm warns about an unsupported Node.js version, and every command stops with one line', async function () {
    this.timeout(600_000);
    const node20 = spawnSync(path.join(ROOT, '.ci', 'node.sh'), ['20'], { encoding: 'utf8' });
    expect(node20.status, node20.stderr).to.equal(0);
    const npmCli =
      process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)
        ? process.env.npm_execpath
        : fs.realpathSync(spawnSync('bash', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim());
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const dir = fs.mkdtempSync(path.join(scratch, 'engines-'));
    fs.writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: pkg.name, version: pkg.version, private: true, engines: pkg.engines }),
    );
    const npm = spawnSync(
      path.join(node20.stdout.trim(), 'node'),
      [npmCli, 'install', '--dry-run', '--no-audit', '--no-fund'],
      { cwd: dir, env, encoding: 'utf8' },
    );
    expectQuoted(5, 0, `${npm.stdout}\n${npm.stderr}`);
    // And every command stops at once with one line, before anything fails on node:sqlite.
    const original = spawnSync(path.join(node20.stdout.trim(), 'node'), [npmCli, 'run', 'original'], {
      cwd: ROOT,
      env: { ...env, PATH: `${node20.stdout.trim()}:${env.PATH ?? process.env.PATH}` },
      encoding: 'utf8',
    });
    expect(original.status).to.equal(2);
    expectQuoted(5, 1, `${original.stdout}\n${original.stderr}`);
  });

  it('§6: the cause chain of a failed child, and of the child itself', async () => {
    await runner.useWorker(scenario('ORDER-101', 'shipping=always'));
    const outcome = await (await runner.start(scenario('ORDER-101', 'shipping=always'))).outcome;
    expect(outcome.kind).to.equal('failed');
    // The client's chain starts at the parent's OrderFailed; the parent caught what is below it.
    const chain = outcome.kind === 'failed' ? outcome.chain : [];
    expectQuoted(6, 0, chain.map((link, i) => `${'  '.repeat(i)}${link.name}: ${link.message}`).join('\n'));
    const child = await client.workflow
      .getHandle('shipping-ORDER-101')
      .result()
      .catch((err: unknown) => err);
    expect(child).to.be.instanceOf(WorkflowFailedError);
    expect(`${(child as Error).name}: ${(child as Error).message}`).to.equal(
      'WorkflowFailedError: Workflow execution failed',
    );
    expect(causeChain((child as Error).cause).map((l) => l.name)).to.deep.equal([
      'ActivityFailure',
      'ApplicationFailure',
    ]);
  });

  it('§7: a plain Error in workflow code fails the task: the worker log, the history, the grader', async () => {
    await client.workflow.start('plainErrorWorkflow', { taskQueue: FIXTURE_QUEUE, workflowId: 'doc-plain-error' });
    await waitFor(fixtureWorker, /Failing workflow task: out of stock/);
    expectQuoted(7, 0, fixtureWorker.output());
    const cmd = docCommand(7, 0);
    const { output, code } = await run(cmd.command, env);
    expect(code, output).to.equal(0);
    expectQuoted(7, 1, output);
    expectQuoted(7, 2, asExercises((await grade('doc-plain-error')).output));
  });

  it('§8: the default retry policy retries for ever: the pending activity, and the grader', async function () {
    this.timeout(600_000);
    const handle = await client.workflow.start('defaultRetryWorkflow', {
      taskQueue: FIXTURE_QUEUE,
      workflowId: 'doc-default-retry',
    });
    await pendingAttempt(handle, 5);
    const cmd = docCommand(8, 0);
    const { output, code } = await run(cmd.command, env);
    expect(code, output).to.equal(0);
    expectQuoted(8, 0, output);
    await handle.terminate('reproduced');
    expectQuoted(8, 1, asExercises((await grade('doc-no-max-attempts')).output));
  });

  it('§9: a running order ID is followed, a finished one is refused', async () => {
    await runner.stopWorker(); // nothing picks ORDER-030 up: it stays running
    const order = sampleOrder('ORDER-030');
    const options = { taskQueue: 'order-fulfillment', workflowId: 'order-ORDER-030', args: [order] };
    const handle = await client.workflow.start('orderFulfillmentWorkflow', options);
    const again = await client.workflow.start('orderFulfillmentWorkflow', options).then(
      () => 'started twice',
      (err: Error) => `${err.name}: ${err.message}`,
    );
    expectQuoted(9, 0, again);
    const follower = start('npm run client -- --order ORDER-030', env);
    background.push(follower);
    await waitFor(follower, /already running/);
    await stop(follower);
    expectQuoted(9, 1, follower.output());
    await handle.terminate('reproduced');
    const refused = await run('npm run client -- --order ORDER-101', env);
    expect(refused.code, refused.output).to.equal(2);
    expectQuoted(9, 2, refused.output);
  });

  it('§13: cancel undoes what was done; terminate leaves it', async function () {
    this.timeout(600_000);
    // The order is stopped while its inventory child waits to retry. The worker is stopped for that
    // moment, so the retry cannot start before the cancel lands; started again, it runs the undos.
    // The client's progress line comes from a query, which only a running worker answers: wait for it first.
    const retrying = (orderId: string) => scenario(orderId, 'inventory=always');
    await runner.useWorker(retrying('ORDER-108'));
    const ledger = runner.ledgerPath!;
    const cancelled = start('npm run client -- --order ORDER-108', { ...env, LEDGER_PATH: ledger });
    background.push(cancelled);
    await waitFor(cancelled, /INVENTORY +payment=COMPLETED inventory=RUNNING/);
    await pendingAttempt(client.workflow.getHandle('inventory-ORDER-108'), 2, { orLater: true });
    await runner.stopWorker();
    const cancel = docCommand(13, 0);
    const cancelRun = await run(cancel.command, env);
    expect(cancelRun.code, cancelRun.output).to.equal(0);
    expectQuoted(13, 0, cancelRun.output);
    await runner.useWorker(retrying('ORDER-108'), { ledgerPath: ledger });
    expect(await cancelled.exited).to.equal(1);
    expectQuoted(13, 1, cancelled.output());
    expect(cancelled.output()).to.match(/refunds: +1 \(\$1,059\.97\)/);

    // Inventory fails three times and each attempt takes 3 s: long enough to terminate the order meanwhile.
    const slow = (orderId: string) => scenario(orderId, 'inventory=first:3', 'inventory=3s');
    await runner.useWorker(slow('ORDER-107'));
    const terminated = start('npm run client -- --order ORDER-107', { ...env, LEDGER_PATH: runner.ledgerPath });
    background.push(terminated);
    await waitFor(terminated, /INVENTORY +payment=COMPLETED inventory=RUNNING/);
    const terminate = docCommand(13, 1);
    const terminateRun = await run(terminate.command, env);
    expect(terminateRun.code, terminateRun.output).to.equal(0);
    expectQuoted(13, 2, terminateRun.output);
    expect(await terminated.exited).to.equal(1);
    expect(terminated.output()).to.contain('Failed: changed my mind').and.to.contain('compensations: none');
    expectQuoted(13, 3, asDefaultLedger(terminated.output(), runner.ledgerPath));

    // ORDER-104 on the same ledger as ORDER-107, so that one reconcile finds both. Terminated once its saga
    // has refunded the charge, while the release keeps failing.
    const shared = runner.ledgerPath!;
    await runner.useWorker(scenario('ORDER-104', 'shipping=always,release=always'), { ledgerPath: shared });
    const stuck = start('npm run client -- --order ORDER-104', { ...env, LEDGER_PATH: shared });
    background.push(stuck);
    await waitFor(stuck, /release inventory: retrying/);
    await untilLedger(shared, (audit) => audit.refunds.some((r) => r.orderId === 'ORDER-104'));
    await client.workflow.getHandle('order-ORDER-104').terminate('reproduced');
    await stuck.exited;
    expectQuoted(13, 4, stuck.output());

    // What both left behind: `npm run reconcile`, dry run first.
    const dryRun = await run(docCommand(13, 2).command, { ...env, LEDGER_PATH: shared });
    expect(dryRun.code, dryRun.output).to.equal(0);
    expectQuoted(13, 5, asDefaultLedger(dryRun.output, shared));
    const reconciled = await run(docCommand(13, 3).command, { ...env, LEDGER_PATH: shared });
    expect(reconciled.code, reconciled.output).to.equal(0);
    expectQuoted(13, 6, asDefaultLedger(reconciled.output, shared));
  });

  it('§10: a query with no worker fails, and a workflow without the handler says so', async function () {
    this.timeout(300_000);
    await runner.stopWorker();
    const cmd = docCommand(10, 0);
    const [cli, sdk] = await Promise.all([
      run(cmd.command, env),
      new Promise((resolve) => setTimeout(resolve, 2_000)).then(() =>
        client.workflow
          .getHandle('order-ORDER-101')
          .query('status')
          .then(
            () => 'answered',
            (err: Error) =>
              `${err.name}: ${err.message}\n  cause ${(err.cause as Error)?.name}: ${(err.cause as Error)?.message}`,
          ),
      ),
    ]);
    expect(cli.code, cli.output).to.equal(1);
    expectQuoted(10, 0, cli.output);
    expectQuoted(10, 1, sdk);

    // The starter (Part D not done) on a task queue of its own: the query reaches a worker that has no handler.
    const starterDir = exercisesCopy('06-order-fulfillment', 'doc-starter');
    const starter = ((await import(path.join(starterDir, 'worker'))) as { lessonWorker: LessonWorker }).lessonWorker;
    const services = freshServices();
    const worker: Worker = await createLessonWorker(starter, {
      connection: runner.connection,
      namespace: server.namespace,
      services,
      taskQueue: 'doc-starter',
    });
    await worker.runUntil(async () => {
      const handle = await client.workflow.start('orderFulfillmentWorkflow', {
        taskQueue: 'doc-starter',
        workflowId: 'order-ORDER-201',
        args: [sampleOrder('ORDER-201')],
      });
      await orderOutcome(handle);
      const noHandler = await run('npx temporal workflow query -w order-ORDER-201 --name status', env);
      expectQuoted(10, 2, noHandler.output);
    });
    services.close();
  });

  it('§11: no Temporal CLI: what to install', async () => {
    const program =
      "require('./common/cli').runMain(async () => { throw new (require('./common/kit/temporal-cli').TemporalCliMissingError)(); })";
    const { output, code } = await run(`node -r ts-node/register -e "${program}"`, env);
    expect(code, output).to.equal(2);
    expectQuoted(11, 0, output);
  });

  it('§12: replaying a history against reordered code is a nondeterminism error', async () => {
    const results = await replayFixtures(
      { workflowsPath: path.join(ROOT, 'tests', 'fixtures', 'nondeterministic-06', 'workflows.ts') },
      ['06-happy-path.json'],
      'order-ORDER-001',
    );
    expectQuoted(12, 0, results[0]?.error?.message ?? 'replayed without an error');
  });

  it(`every text block and command of ${DOC} was reproduced above`, () => {
    const blocks = blocksOf(DOC);
    const unknown = blocks.filter((b) => !['text', 'bash', 'ts'].includes(b.lang));
    expect(
      unknown.map((b) => `${DOC}:${b.line} is a \`\`\`${b.lang || '(no language)'} block`),
      'quoted output goes in ```text blocks, commands in ```bash, code in ```ts',
    ).to.deep.equal([]);
    const missing = [
      ...blocks.filter((b) => b.lang === 'text').map((b) => b.line),
      ...commandsOf(DOC).map((c) => c.line),
    ].filter((line) => !wasReproduced(line));
    expect(
      missing.map((line) => `${DOC}:${line}`),
      'quoted in the page but reproduced by no test here',
    ).to.deep.equal([]);
  });

  function scenario(orderId: string, faults: string, latency?: string): Scenario {
    return { orderId, faults, ...(latency ? { latency } : {}), what: faults };
  }

  /** `npm run grade` on a copy of the lesson with one mistake. */
  async function grade(mistake: Mistake): Promise<{ output: string; code: number | null }> {
    const dir = withMistake(mistake);
    return run(`npm run grade -- --dir ${path.relative(ROOT, dir)}`, env);
  }
});

/** Waits until the ledger's audit satisfies `done`. */
async function untilLedger(file: string, done: (audit: Audit) => boolean, timeoutMs = 60_000): Promise<void> {
  const ledger = Ledger.open(file);
  try {
    if (!(await until(() => done(ledger.audit()), { timeoutMs })))
      throw new Error(`the ledger ${file} did not get there in ${timeoutMs / 1000} s`);
  } finally {
    ledger.close();
  }
}

/** Waits until the workflow's first pending activity is waiting for `attempt` (or a later one). */
async function pendingAttempt(handle: WorkflowHandle, attempt: number, { orLater = false } = {}): Promise<void> {
  const waiting = await until(
    async () => {
      const pending = (await handle.describe().catch(() => undefined))?.raw.pendingActivities?.[0];
      const scheduled = pending?.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED;
      const at = pending?.attempt ?? 0;
      if (scheduled && (at === attempt || (orLater && at > attempt))) return true;
      if (!orLater && at > attempt) throw new Error(`the activity is past attempt ${attempt}`);
      return false;
    },
    { timeoutMs: 120_000, everyMs: 250 },
  );
  if (!waiting) throw new Error(`no attempt ${attempt} within 2 min`);
}
