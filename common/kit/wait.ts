/**
 * The kit's one waiter: polls a condition until it holds or a deadline passes. For a plain pause, use
 * `setTimeout` from node:timers/promises.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface UntilOptions {
  /** How long to keep trying. */
  timeoutMs: number;
  /** The pause between two tries (default 100 ms). */
  everyMs?: number;
}

/** Polls `condition` until it returns true (→ true) or `timeoutMs` passes first (→ false). */
export async function until(
  condition: () => boolean | Promise<boolean>,
  { timeoutMs, everyMs = 100 }: UntilOptions,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(everyMs, Math.max(0, deadline - Date.now())));
  }
}
