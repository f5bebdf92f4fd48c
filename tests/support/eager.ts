/**
 * Slow scenarios that start before their test's turn, so they overlap with other files' instead of
 * waiting their turn: most of a Temporal test's time is spent waiting (retry backoff, a worker
 * starting), not computing. The test itself then only awaits the result.
 *
 * Everything here runs inside mocha's lifecycle: a file only *registers* its work when it loads; the
 * root hook (tests/setup/root-hooks.ts) starts it once the run has begun, after `.only` and `--grep`
 * have chosen the tests, and only the work of a test that will run. A test awaits its work under its
 * own timeout. Two waves, so the machine is never asked for everything at once:
 * - `itEager` / `eager`: the first wave (the short scenarios of solution-06/07 and the parent tests),
 *   started by the root hook while the unit tests and the CLI checks run.
 * - `afterEager`: the graders' scenarios and the saga's. They all start together when the first hook
 *   or test that needs one of them begins, and once every first-wave scenario has ended. They run
 *   against clocks (execution timeouts, 20-s status waits) that the first wave's load would eat into.
 */
import { startTestServer } from '../../common/kit/server';

/** First-wave work, by the test (or the suite) that awaits it. */
const registered = new Map<Mocha.Runnable | Mocha.Suite, { work: () => Promise<unknown>; result?: Promise<unknown> }>();
const firstWave: Promise<unknown>[] = [];
const secondWave: (() => void)[] = [];

function quietly<T>(result: Promise<T>): Promise<T> {
  result.catch(() => undefined); // reported by the test that awaits it
  return result;
}

/** Starts the work of `owner` now (once), after the shared server is up; its result. */
function start(owner: Mocha.Runnable | Mocha.Suite): Promise<unknown> {
  const entry = registered.get(owner)!;
  if (!entry.result) {
    entry.result = quietly(startTestServer().then(entry.work));
    firstWave.push(entry.result.catch(() => undefined));
  }
  return entry.result;
}

/**
 * First-wave work for the tests of `suite` (call it as `eager(this, …)` in a `describe(…, function ()
 * { … })`): returns a function, for a hook or a test, that awaits its result (and starts it, when the
 * root hook did not).
 */
export function eager<T>(suite: Mocha.Suite, work: () => Promise<T>): () => Promise<T> {
  registered.set(suite, { work });
  return () => start(suite) as Promise<T>;
}

/** `it`, with its body started by the root hook ahead of its turn. Assertions in it fail the test as usual. */
export function itEager(title: string, body: () => Promise<void>): void {
  const test: Mocha.Test = it(title, () => start(test) as Promise<void>);
  registered.set(test, { work: body });
}

/** The --grep / --fgrep / --invert this run was given (.mocharc included), as mocha's CLI reads them. */
function grepOfThisRun(): { grep?: RegExp; invert: boolean } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- mocha's CLI option loader has no types
    const { loadOptions } = require('mocha/lib/cli/options') as {
      loadOptions(argv: string[]): { grep?: string; fgrep?: string; invert?: boolean };
    };
    const options = loadOptions(process.argv.slice(2));
    // The same conversion as Mocha.prototype.fgrep (escaped, literal) and .grep (`/re/flags` or a pattern).
    let grep: RegExp | undefined;
    if (options.fgrep) grep = new RegExp(options.fgrep.replace(/[|\\{}()[\]^$+*?.]/g, '\\$&'));
    else if (options.grep) {
      const literal = /^\/(.*)\/([gimy]{0,4})$/.exec(options.grep);
      grep = literal ? new RegExp(literal[1], literal[2]) : new RegExp(options.grep);
    }
    return { grep, invert: !!options.invert };
  } catch {
    return { invert: false }; // run programmatically: no CLI grep to honour
  }
}

/**
 * Called by the root hook once the run has begun: starts the first-wave work of every test that will
 * run (still in the tree once `.only` has filtered it, not pending, matching --grep).
 */
export function startFirstWave(root: Mocha.Suite): void {
  const { grep, invert } = grepOfThisRun();
  const willRun = (test: Mocha.Test) => !test.isPending() && (!grep || grep.test(test.fullTitle()) !== invert);
  const visit = (suite: Mocha.Suite): boolean => {
    let anyRuns = false;
    for (const test of suite.tests) {
      if (!willRun(test)) continue;
      anyRuns = true;
      if (registered.has(test)) void start(test);
    }
    for (const child of suite.suites) anyRuns = visit(child) || anyRuns;
    if (anyRuns && registered.has(suite)) void start(suite);
    return anyRuns;
  };
  visit(root);
}

/**
 * Registers `work` for the second wave; returns a function that starts the wave (every work registered
 * with afterEager, each once) and awaits this one's result. Call it from a hook or a test, not at load.
 */
export function afterEager<T>(work: () => Promise<T>): () => Promise<T> {
  let begin!: () => void;
  const go = new Promise<void>((resolve) => (begin = resolve));
  secondWave.push(begin);
  const result = quietly(
    go
      .then(() => Promise.all(firstWave))
      .then(() => startTestServer())
      .then(work),
  );
  return () => {
    for (const begin of secondWave) begin();
    return result;
  };
}
