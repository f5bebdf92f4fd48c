/**
 * Slow scenarios that start before their test's turn, so they overlap with other files' instead of
 * waiting their turn: most of a Temporal test's time is spent waiting (retry backoff, a worker
 * starting), not computing. The test itself then only awaits the result. The shared dev server is
 * started first (it is one per run either way).
 *
 * Two waves, so the machine is never asked for everything at once:
 * - `eager` / `itEager`: starts as soon as the file loads (the short scenarios of solution-06/07 and the
 *   parent tests), while the unit tests and the CLI checks run.
 * - `afterEager`: the graders' scenarios and the saga's. They all start together when the first test
 *   that needs one of them begins (none start when no such test runs), and once every first-wave
 *   scenario has ended. They run against clocks (execution timeouts, 20-s status waits) that the first
 *   wave's load would eat into, and the CLI checks compare timings that theirs would skew.
 */
import { startTestServer } from '../../common/kit/server';

const firstWave: Promise<unknown>[] = [];
const secondWave: (() => void)[] = [];

function settleLater<T>(result: Promise<T>): () => Promise<T> {
  result.catch(() => undefined); // reported by the test that awaits it
  return () => result;
}

/** Starts `work` now (after the server is up); returns a function that awaits its result. */
export function eager<T>(work: () => Promise<T>): () => Promise<T> {
  const result = startTestServer().then(work);
  firstWave.push(result.catch(() => undefined));
  return settleLater(result);
}

/** `it`, with its body started when the file loads. Assertions inside it fail the test as usual. */
export function itEager(title: string, body: () => Promise<void>): void {
  const run = eager(body);
  it(title, () => run());
}

/**
 * Registers `work` for the second wave; returns a function that starts the wave (every work registered
 * with afterEager, each once) and awaits this one's result. Call it from a hook or a test, not at load.
 */
export function afterEager<T>(work: () => Promise<T>): () => Promise<T> {
  let begin!: () => void;
  const go = new Promise<void>((resolve) => (begin = resolve));
  secondWave.push(begin);
  const result = settleLater(
    go
      .then(() => Promise.all(firstWave))
      .then(() => startTestServer())
      .then(work),
  );
  return () => {
    for (const start of secondWave) start();
    return result();
  };
}
