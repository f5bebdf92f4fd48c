// Mocha's spec reporter plus closing lines that any CI can read: one `failed: <full title>` per failed test,
// each followed by `  because: <the error, on one line>`, then `tests: N passed, N failed`.
'use strict';
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

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
    runner.once(EVENT_RUN_END, () => {
      const { passes = 0, failures = 0, pending = 0 } = runner.stats || {};
      for (const { title, why } of failed) process.stdout.write(`failed: ${title}\n  because: ${why}\n`);
      process.stdout.write(`tests: ${passes} passed, ${failures} failed${pending ? `, ${pending} skipped` : ''}\n`);
    });
  }
}

module.exports = SummaryReporter;
