/**
 * Slow scenarios that start as soon as their test file loads, so they overlap with every other file's
 * instead of waiting their turn: most of a Temporal test's time is spent waiting (retry backoff, a
 * worker starting), not computing. The test itself then only awaits the result. The shared dev server
 * is started first (it is one per run either way).
 */
import { startTestServer } from './server';

/** Starts `work` now (after the server is up); returns a function that awaits its result. */
export function eager<T>(work: () => Promise<T>): () => Promise<T> {
  const result = startTestServer().then(work);
  result.catch(() => undefined); // reported by the test that awaits it
  return () => result;
}

/** `it`, with its body started when the file loads. Assertions inside it fail the test as usual. */
export function itEager(title: string, body: () => Promise<void>): void {
  const run = eager(body);
  it(title, () => run());
}
