// `npm test`: the lint (scripts/lint.mjs: types, ESLint, Prettier) and every unit and integration test
// (mocha), side by side. The lint is pure CPU; the tests mostly wait on Temporal (retry backoff, workers
// starting, the dev server). So the lint runs at a lower priority, on the CPU the tests leave idle, and
// the two together take about as long as the tests alone. Arguments go to mocha (`npm test -- --grep X`).
//
// The lint's lines come after the tests'. A failed check gets a `failed:` and a `because:` line like a
// failed test, and counts in a closing `tests: N passed, N failed` line that then follows mocha's.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { exitUnlessSupportedNode } from './lib/node-check.mjs';

exitUnlessSupportedNode();

const LINT_NICENESS = 10;

/** Runs `node args`; resolves with its exit code and, when `capture`, everything it printed. */
function run(args, { capture, onStdout }) {
  const child = spawn(process.execPath, args, { stdio: ['inherit', 'pipe', capture ? 'pipe' : 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    if (capture) output += chunk;
    onStdout?.(chunk);
  });
  child.stderr?.on('data', (chunk) => (output += chunk));
  const done = new Promise((resolve) => {
    child.on('error', (err) => resolve({ code: 1, output: `${output}${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
  return { child, done };
}

const lint = run([path.join('scripts', 'lint.mjs')], { capture: true });
try {
  os.setPriority(lint.child.pid, LINT_NICENESS); // before it starts tsc, ESLint and Prettier, which inherit it
} catch {
  // not allowed here (some containers): the lint then simply shares the CPU
}

let lastSummary = '';
let pending = '';
const mocha = run(
  [
    path.join('node_modules', 'mocha', 'bin', 'mocha.js'),
    ...(process.stdout.isTTY ? ['--color'] : []),
    'tests/unit/**/*.test.ts',
    'tests/integration/**/*.test.ts',
    ...process.argv.slice(2),
  ],
  {
    capture: false,
    onStdout: (chunk) => {
      process.stdout.write(chunk);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) if (/^tests: \d+ passed, \d+ failed/.test(line)) lastSummary = line;
    },
  },
);

const tests = await mocha.done;
const linted = await lint.done;
process.stdout.write(`\n${linted.output.trimEnd()}\n`);
if (linted.code !== 0) {
  // Which checks failed, in the closing lines' format (the lint printed `✗ <check>` for each).
  const failedChecks = [...linted.output.matchAll(/^✗ (.+)$/gm)].map((m) => m[1]);
  const checks = failedChecks.length ? failedChecks : ['the lint did not finish'];
  for (const check of checks) process.stdout.write(`failed: npm run lint: ${check}\n  because: see its lines above\n`);
  const [, passed = '0', failed = '0'] = /^tests: (\d+) passed, (\d+) failed/.exec(lastSummary) ?? [];
  process.stdout.write(`tests: ${passed} passed, ${Number(failed) + checks.length} failed\n`);
}
process.exitCode = tests.code || linted.code;
