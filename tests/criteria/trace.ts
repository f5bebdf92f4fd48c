/**
 * GRADE_TRACE=1 npm run grade: when each stage of a grading run starts and ends (static check, bundle,
 * server, worker, every scenario), in seconds since the process started, on stderr. For finding where
 * the time goes; scripts/maintainer/bench-grade.ts measures the totals.
 */
const enabled = !!process.env.GRADE_TRACE;

export function trace(what: string): void {
  if (enabled) process.stderr.write(`[grade ${(performance.now() / 1000).toFixed(2)} s] ${what}\n`);
}

/** Traces `what` around a promise. */
export function traced<T>(what: string, work: Promise<T>): Promise<T> {
  if (!enabled) return work;
  trace(`${what}: start`);
  work.then(
    () => trace(`${what}: done`),
    (err) => trace(`${what}: failed (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`),
  );
  return work;
}
