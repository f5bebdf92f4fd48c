/**
 * `npx temporal <args>` (scripts/npx-temporal/) and `npm run temporal -- <args>`: the Temporal CLI this kit
 * provisions (common/kit/temporal-cli.ts), so the `temporal …` commands in the docs work without
 * installing anything, e.g.
 *
 *   npx temporal workflow describe -w payment-ORDER-001
 *
 * Every argument goes to the CLI unchanged; its output is yours and its exit code is this command's.
 * The CLI reads TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE itself; unset, it talks to localhost:7233,
 * where `npm run server` listens. `npm run temporal:cli` prints where the binary is, to put it on PATH.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ensureTemporalCli } from '../common/kit/temporal-cli';
import { runMain } from '../common/cli';

runMain(async () => {
  const binary = await ensureTemporalCli();
  const child = spawn(binary, process.argv.slice(2), { stdio: 'inherit' });
  // Ctrl-C reaches the CLI through the terminal; a signal sent to this process alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 1) : 1)));
  });
});
