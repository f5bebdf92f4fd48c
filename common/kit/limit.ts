/** The kit's one concurrency limiter. */

/**
 * A limit shared by every caller that holds it: `run(work)` starts `work` when fewer than `max` are
 * running, else once one ends (first come, first served).
 */
export function createLimiter(max: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot slip in between.
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Runs `fn` over `items`, at most `limit` at a time, keeping the order of the results. */
export function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const run = createLimiter(Math.max(1, limit));
  return Promise.all(items.map((item) => run(() => fn(item))));
}
