/**
 * `npm run bench` end to end, on a few orders: every row is there with numbers that make sense, the
 * ratios are computed, the latency mode compares the lessons with children, --lesson keeps one
 * lesson's rows, and a bad flag is one line. Correctness only: how fast anything is stays in the docs, never in a test.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { LESSON_IDS, LESSONS } from '../../common/lessons';
import { REPO_ROOT } from '../../services';

interface Row {
  name: string;
  kind: 'floor' | 'lesson' | 'original';
  lesson?: string;
  faults: string;
  latency: string;
  orders: number;
  completed: number;
  failed: number;
  seconds: number;
  ordersPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  retries: number;
  historyEventsPerOrder: number | null;
  workerPeakRssMiB: number;
  serverPeakRssMiB: number | null;
}

interface Report {
  mode: string;
  machine: { cpus: number; memoryGiB: number; node: string; temporalCli: string };
  settings: { orders: number; concurrency: number; seed: number; lesson?: string; latency?: string };
  seconds: number;
  rows: Row[];
  ratios: { name: string; of: string; to: string; throughput: number | null; p50: number; target?: number }[];
  notes: string[];
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ReturnType<typeof spawn>>();

/** `npm run --silent bench -- <args>`, exactly the command the docs print. */
function bench(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'bench', '--', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      running.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
}

function parse(run: Run): Report {
  expect(run.code, `npm run bench exited with ${run.code}:\n${run.stderr}`).to.equal(0);
  return JSON.parse(run.stdout) as Report;
}

/** The lessons whose solution the bench can run: the ones in the manifest (all of them are there here). */
const lessons = LESSON_IDS;
const withChildren = lessons.filter((id) => LESSONS[id].children.length > 0);

describe('npm run bench (end to end, a few orders)', function () {
  this.timeout(300_000);
  let main: Report;
  let latency: Report;
  let tuning: Report;
  let oneLesson: Report;
  let badFlag: Run;
  let badLesson: Run;
  let lessonWithoutRows: Run;

  before(async () => {
    // Independent runs, each on its own private server, side by side.
    const [mainRun, latencyRun, tuningRun, lessonRun, badRun, badLessonRun, noRowsRun] = await Promise.all([
      bench(['--orders', '3', '--json']),
      bench(['--latency', '--orders', '2', '--concurrency', '2', '--json'], {
        ORDER_FAULTS: 'none',
        ORDER_LATENCY: 'payment=200ms,inventory=200ms',
      }),
      bench(['--tuning', '--only', 'default,cache-off,children-2x2', '--orders', '2', '--json']),
      bench(['--lesson', '06', '--orders', '2', '--json']),
      bench(['--only', 'no-such-row']),
      bench(['--lesson', '99']),
      bench(['--tuning', '--lesson', '06']),
    ]);
    main = parse(mainRun);
    latency = parse(latencyRun);
    tuning = parse(tuningRun);
    oneLesson = parse(lessonRun);
    badFlag = badRun;
    badLesson = badLessonRun;
    lessonWithoutRows = noRowsRun;
  });

  after(() => {
    for (const child of running) child.kill('SIGTERM');
  });

  it('runs the engine floor, every lesson with and without faults, and every original', () => {
    const expected = [
      'flat-4',
      'flat-5',
      ...new Set(
        withChildren.flatMap((id) => [
          `children-${LESSONS[id].children.length}`,
          `children-${LESSONS[id].children.length}+1`,
        ]),
      ),
    ];
    for (const id of lessons)
      expected.push(`lesson-${id}`, `lesson-${id}-faults`, `original-${id}`, `original-${id}-faults`);
    expect(main.rows.map((r) => r.name)).to.have.members(expected);
    expect(main.settings).to.include({ orders: 3 });
    expect(main.machine.cpus).to.be.greaterThan(0);
    // "In all" is the whole session: every row fits in it.
    expect(main.seconds).to.be.greaterThan(main.rows.reduce((sum, r) => sum + r.seconds, 0));
  });

  it('gives every row numbers that make sense', () => {
    for (const row of main.rows) {
      const at = `row ${row.name}`;
      expect(row.orders, at).to.equal(3);
      expect(row.completed + row.failed, at).to.equal(3);
      expect(row.ordersPerSecond, at).to.be.greaterThan(0);
      expect(row.p50Ms, at).to.be.at.most(row.p95Ms);
      expect(row.workerPeakRssMiB, at).to.be.greaterThan(20);
      if (row.faults === 'none') {
        expect(row.failed, `${at}: nothing fails without faults`).to.equal(0);
        expect(row.retries, `${at}: nothing is retried without faults`).to.equal(0);
      }
      if (row.kind === 'original') {
        expect(row.serverPeakRssMiB, at).to.equal(null);
        expect(row.historyEventsPerOrder, at).to.equal(null);
      } else {
        expect(row.serverPeakRssMiB, at).to.be.greaterThan(20);
        expect(row.historyEventsPerOrder, at).to.be.greaterThan(0);
      }
    }
  });

  it('counts the history a shape costs: children add events, one more activity adds a few', () => {
    const events = (name: string) => main.rows.find((r) => r.name === name)!.historyEventsPerOrder!;
    expect(events('flat-5')).to.be.greaterThan(events('flat-4'));
    expect(events('children-4')).to.be.greaterThan(2 * events('flat-4'));
    expect(events('children-4+1')).to.be.greaterThan(events('children-4'));
    // Without faults a lesson's order has at least its floor's history: the same shape, with real work.
    expect(events('lesson-02')).to.be.at.least(events('flat-4'));
    for (const id of withChildren) {
      expect(events(`lesson-${id}`)).to.be.at.least(events(`children-${LESSONS[id].children.length}`));
    }
  });

  it('computes each lesson against its floor (target 90 %) and children against a flat workflow', () => {
    const names = main.ratios.map((r) => `${r.of}/${r.to}`);
    expect(names).to.include('lesson-02/flat-4');
    for (const id of withChildren) {
      expect(names).to.include(`lesson-${id}/children-${LESSONS[id].children.length}`);
      expect(names).to.include(`lesson-${id}/children-${LESSONS[id].children.length}+1`);
    }
    expect(names).to.include.members(['children-4/flat-4', 'children-4/flat-5']);
    for (const r of main.ratios) {
      const of = main.rows.find((row) => row.name === r.of)!;
      const to = main.rows.find((row) => row.name === r.to)!;
      expect(r.throughput, r.name).to.be.a('number');
      expect(r.throughput, r.name).to.be.closeTo(of.ordersPerSecond / to.ordersPerSecond, 0.01);
      // The target applies to a lesson against its floor; the exact-shape comparison is for diagnosis.
      if (r.of.startsWith('lesson-')) expect(r.target).to.equal(r.to.endsWith('+1') ? undefined : 0.9);
    }
  });

  it('--latency runs the lessons with children under the same latency and compares them to the first', () => {
    expect(latency.mode).to.equal('latency');
    expect(latency.settings.latency).to.equal('payment=200ms,inventory=200ms');
    expect(latency.rows.map((r) => r.name)).to.deep.equal(withChildren.map((id) => `lesson-${id}`));
    for (const row of latency.rows) {
      expect(row.faults).to.equal('none');
      expect(row.failed).to.equal(0);
      // Payment and inventory each wait 200 ms: no order can finish sooner than one of them.
      expect(row.p50Ms, row.name).to.be.at.least(200);
    }
    // Lesson 06 runs them one after the other.
    expect(latency.rows.find((r) => r.lesson === '06')!.p50Ms).to.be.at.least(400);
    expect(latency.ratios.map((r) => r.of)).to.deep.equal(withChildren.slice(1).map((id) => `lesson-${id}`));
  });

  it('--tuning runs the chosen variations of the children floor and compares each with the default', () => {
    expect(tuning.mode).to.equal('tuning');
    expect(tuning.rows.map((r) => r.name)).to.deep.equal(['default', 'cache-off', 'children-2x2']);
    for (const row of tuning.rows) expect(row.failed, row.name).to.equal(0);
    expect(tuning.rows[1]).to.have.nested.property('tuning.maxCachedWorkflows', 0);
    // Two children with two activities each: fewer workflows, fewer events than four children with one.
    expect(tuning.rows[2].historyEventsPerOrder).to.be.lessThan(tuning.rows[0].historyEventsPerOrder!);
    expect(tuning.ratios.map((r) => `${r.of}/${r.to}`)).to.deep.equal(['cache-off/default', 'children-2x2/default']);
  });

  it("--lesson runs only that lesson's rows and the floors it is measured against", () => {
    expect(oneLesson.settings).to.include({ lesson: '06', orders: 2 });
    const rows = ['children-4', 'children-4+1', 'lesson-06', 'lesson-06-faults', 'original-06', 'original-06-faults'];
    expect(oneLesson.rows.map((r) => r.name)).to.deep.equal(rows);
    expect(oneLesson.ratios.map((r) => `${r.of}/${r.to}`)).to.deep.equal([
      'lesson-06/children-4',
      'lesson-06/children-4+1',
    ]);
  });

  it('refuses a lesson that is not in the manifest, or has no rows in this mode, in one line with exit code 2', () => {
    for (const run of [badLesson, lessonWithoutRows]) {
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal('');
      expect(run.stderr.trim().split('\n')).to.have.length(1);
    }
    expect(badLesson.stderr).to.equal(`error: --lesson must be one of ${LESSON_IDS.join(', ')} (got "99")\n`);
    expect(lessonWithoutRows.stderr).to.match(
      /^error: --lesson 06: no bench rows run it with --tuning\b.*; lessons with rows: none\n$/,
    );
  });

  it('refuses an unknown row in one line, naming it, with exit code 2', () => {
    expect(badFlag.code).to.equal(2);
    expect(badFlag.stdout).to.equal('');
    expect(badFlag.stderr.trim().split('\n')).to.have.length(1);
    expect(badFlag.stderr).to.match(/^error: --only: no row named "no-such-row"; rows here: flat-4, /);
  });
});
