// Mocha's spec reporter plus closing lines that any CI can read: one `failed: <full title>` per failed test,
// each followed by `  because: <the error, on one line>`, then `tests: N passed, N failed`.
// With TEST_TIMINGS_FILE set, it also writes each test's and each file's time there as JSON (for
// scripts/bench-test.ts, which prints the slowest ones).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_RUN_BEGIN, EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_END, EVENT_HOOK_BEGIN, EVENT_HOOK_END } =
  Mocha.Runner.constants;

/** The error's message on one line; a long one keeps its start and its end (where "but got N" is). */
function oneLine(err) {
  const text = String((err && err.message) || err)
    .replace(/\s+/g, ' ')
    .trim();
  return text.length <= 600 ? text : `${text.slice(0, 350)} … ${text.slice(-250)}`;
}

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failed = [];
    runner.on(EVENT_TEST_FAIL, (test, err) => failed.push({ title: test.fullTitle(), why: oneLine(err) }));
    const timingsFile = process.env.TEST_TIMINGS_FILE;
    if (timingsFile) recordTimings(runner, timingsFile);
    runner.once(EVENT_RUN_END, () => {
      const { passes = 0, failures = 0, pending = 0 } = runner.stats || {};
      for (const { title, why } of failed) process.stdout.write(`failed: ${title}\n  because: ${why}\n`);
      process.stdout.write(`tests: ${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}\n`);
    });
  }
}

/**
 * Each test's own duration, and each file's span: from the start of its first hook or test to the end
 * of its last (so a file whose scenarios started early, while others ran, shows only what it added).
 */
function recordTimings(runner, file) {
  let started = 0;
  const now = () => Number(process.hrtime.bigint() / 1000000n) - started;
  const tests = [];
  const files = new Map();
  const touch = (runnable) => {
    const source = runnable && (runnable.file || (runnable.parent && runnable.parent.file));
    if (!source) return;
    const name = path.relative(process.cwd(), source);
    const span = files.get(name) || { file: name, startMs: now(), endMs: 0 };
    span.endMs = now();
    files.set(name, span);
  };
  runner.once(EVENT_RUN_BEGIN, () => (started = Number(process.hrtime.bigint() / 1000000n)));
  runner.on(EVENT_HOOK_BEGIN, touch);
  runner.on(EVENT_HOOK_END, touch);
  runner.on(EVENT_TEST_END, (test) => {
    touch(test);
    tests.push({ title: test.fullTitle(), ms: test.duration || 0 });
  });
  runner.once(EVENT_RUN_END, () => {
    const report = { tests, files: [...files.values()] };
    fs.writeFileSync(file, JSON.stringify(report, null, 2));
  });
}

module.exports = SummaryReporter;
