/**
 * How long does `npm test` take? Runs it as a learner (or CI) would, on one or more Node.js versions, and
 * prints its wall time, the lint step's time, the result line, and the slowest test files and tests.
 *
 *   npx ts-node scripts/maintainer/bench-test.ts                         # this checkout, this Node, caches as they are
 *   npx ts-node scripts/maintainer/bench-test.ts --node 22,24,26         # each version in turn (provisioned like CI does)
 *   npx ts-node scripts/maintainer/bench-test.ts --fresh --node 22,24,26 # a fresh clone of HEAD, in CI's order
 *   npx ts-node scripts/maintainer/bench-test.ts --edit solution/06-order-fulfillment/workflows/payment.ts
 *
 * `--fresh` clones the last commit (uncommitted changes are not in it) into a temporary folder, runs
 * `npm ci` there and removes it at the end: the first run then starts with cold lint caches and no
 * workflow bundle built, as on a new machine. `--edit FILE` appends a comment to FILE before each run and
 * restores it afterwards: what a run costs after one edit. Other Node.js versions come from the npm
 * registry through .ci/node.sh (cached per user). The Temporal CLI must already be provisioned
 * (`npm run temporal:cli`), or the first run includes building it. A measurement, not a test: nothing
 * here fails when the numbers are slow.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../services';
import { runMain } from '../../common/cli';
import { commandArgs, UsageError } from '../lib/args';
import { timedRun } from './timed-run';

const FLAGS = {
  node: { type: 'string', description: 'Node.js majors to run on, in order, e.g. 22,24,26 (default: this one)' },
  fresh: { type: 'boolean', description: 'run in a fresh clone of the last commit (cold caches)' },
  edit: { type: 'string', description: 'append a comment to this file before each run (restored afterwards)' },
  runs: { type: 'int', min: 1, max: 10, description: 'runs per Node.js version (default 1)' },
  slowest: { type: 'int', min: 0, max: 50, description: 'how many slowest tests and files to list (default 5)' },
} as const;

const SUMMARY = 'Measures how long `npm test` takes.';

interface Timings {
  tests: { title: string; ms: number }[];
  files: { file: string; startMs: number; endMs: number }[];
}

interface Run {
  node: string;
  wallS: number;
  lintS?: number;
  result: string;
  exitCode: number | null;
  timings?: Timings;
}

/** The bin/ folder of Node.js `major`: this process's own when it is that major, else from .ci/node.sh. */
function nodeBin(major: string): string {
  if (process.versions.node.split('.')[0] === major) return path.dirname(process.execPath);
  try {
    return execFileSync('bash', [path.join(REPO_ROOT, '.ci', 'node.sh'), major], { encoding: 'utf8' }).trim();
  } catch (err) {
    throw new UsageError(`cannot provision Node.js ${major} (${(err as Error).message.split('\n')[0]})`);
  }
}

async function npmTest(root: string, bin: string, timingsFile: string): Promise<Omit<Run, 'node'>> {
  const {
    out,
    code: exitCode,
    wallS,
  } = await timedRun('npm', ['test'], {
    cwd: root,
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, TEST_TIMINGS_FILE: timingsFile },
  });
  const lint = /^lint: .*\(([\d.]+) s\)$/m.exec(out);
  const result = /^tests: .*$/m.exec(out)?.[0] ?? `no result line (exit code ${exitCode})`;
  let timings: Timings | undefined;
  try {
    timings = JSON.parse(fs.readFileSync(timingsFile, 'utf8')) as Timings;
  } catch {
    timings = undefined; // the run ended before the tests (a lint error, say)
  }
  if (exitCode !== 0) process.stderr.write(out.split('\n').slice(-40).join('\n'));
  return { wallS, lintS: lint ? Number(lint[1]) : undefined, result, exitCode, timings };
}

function freshClone(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-bench-'));
  const root = path.join(dir, path.basename(REPO_ROOT));
  console.log(`cloning ${REPO_ROOT} (HEAD) into ${root} and running npm ci…`);
  execFileSync('git', ['clone', '--quiet', REPO_ROOT, root], { stdio: 'inherit' });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: root, stdio: 'inherit' });
  return root;
}

const seconds = (s?: number) => (s === undefined ? '—' : `${s.toFixed(1)} s`);

function printSlowest(timings: Timings, count: number): void {
  if (!count) return;
  console.log(`\nSlowest test files (from their first hook or test to their last; most start early and overlap):`);
  for (const f of [...timings.files].sort((a, b) => b.endMs - b.startMs - (a.endMs - a.startMs)).slice(0, count)) {
    console.log(`  ${seconds((f.endMs - f.startMs) / 1000).padStart(7)}  ${f.file}`);
  }
  console.log(`Slowest tests (their own time; a test that awaits a scenario started earlier shows only the rest):`);
  for (const t of [...timings.tests].sort((a, b) => b.ms - a.ms).slice(0, count)) {
    console.log(`  ${seconds(t.ms / 1000).padStart(7)}  ${t.title}`);
  }
}

async function main(): Promise<number> {
  const args = commandArgs('npx ts-node scripts/maintainer/bench-test.ts', SUMMARY, FLAGS);
  if (!args) return 0;
  const majors = (args.node ?? process.versions.node.split('.')[0]).split(',').map((m) => m.trim());
  for (const major of majors) {
    if (!/^\d+$/.test(major)) throw new UsageError(`--node takes majors like 22,24,26 (got "${major}")`);
  }
  const editFile = args.edit ? path.resolve(args.edit) : undefined;
  if (editFile && !fs.existsSync(editFile)) throw new UsageError(`--edit ${args.edit}: no such file`);
  if (editFile && args.fresh) throw new UsageError('--edit measures this checkout; leave out --fresh');
  const bins = majors.map(nodeBin);
  const root = args.fresh ? freshClone() : REPO_ROOT;
  const timingsFile = path.join(os.tmpdir(), `order-kit-bench-test-${process.pid}.json`);
  const runs: Run[] = [];
  console.log(`npm test on ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}, in ${root}`);
  console.log('node       wall      lint      result');
  try {
    for (const bin of bins) {
      const node = execFileSync(path.join(bin, 'node'), ['--version'], { encoding: 'utf8' }).trim();
      for (let i = 0; i < (args.runs ?? 1); i++) {
        const original = editFile ? fs.readFileSync(editFile) : undefined;
        const restore = () => editFile && original && fs.writeFileSync(editFile, original);
        // Ctrl-C during a run must not leave the edit behind.
        const interrupted = () => {
          restore();
          process.exit(130);
        };
        process.once('SIGINT', interrupted);
        if (editFile) fs.appendFileSync(editFile, `// edited by bench-test at ${new Date().toISOString()}\n`);
        let run: Run;
        try {
          fs.rmSync(timingsFile, { force: true });
          run = { node, ...(await npmTest(root, bin, timingsFile)) };
        } finally {
          restore();
          process.off('SIGINT', interrupted);
        }
        runs.push(run);
        console.log(`${node.padEnd(11)}${seconds(run.wallS).padEnd(10)}${seconds(run.lintS).padEnd(10)}${run.result}`);
      }
    }
  } finally {
    fs.rmSync(timingsFile, { force: true });
    if (args.fresh) fs.rmSync(path.dirname(root), { recursive: true, force: true });
  }
  const last = runs[runs.length - 1];
  if (last?.timings) printSlowest(last.timings, args.slowest ?? 5);
  return runs.every((r) => r.exitCode === 0) ? 0 : 1;
}

if (require.main === module) runMain(main);
