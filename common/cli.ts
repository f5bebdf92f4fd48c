/**
 * How every command of the kit ends: a number to exit with, or an error. Expected errors (a bad flag,
 * a bad setting, no server, an order that already ran) print one line; anything else is a bug and
 * keeps its stack trace.
 */

/** Error names whose message is written for people: printed as one line, without a stack trace. */
export const EXPECTED_ERRORS = new Set([
  'UsageError',
  'FaultConfigError',
  'LatencyConfigError',
  'LedgerError',
  'TemporalCliMissingError',
  'TemporalConnectionError',
  'ValidationError',
  'OrderAlreadyRanError',
]);

/**
 * Runs a command's main function: expected errors print `error: <message>` and exit 2; anything else
 * is a bug and keeps its stack trace (exit 1).
 */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (err: unknown) => {
      if (err instanceof Error && EXPECTED_ERRORS.has(err.name)) {
        process.stderr.write(`error: ${err.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
        process.exitCode = 1;
      }
      // The command is over. Temporal's worker runtime, once installed, can keep the process alive
      // with nothing left to do: if anything still holds it a moment from now, exit anyway.
      setTimeout(() => process.exit(), 500).unref();
    },
  );
}
