/**
 * How every command of the kit ends: a number to exit with, or an error. Expected errors (a bad flag,
 * a bad setting, no server, an order that already ran) print one line; anything else is a bug and
 * keeps its stack trace.
 */
import { NamespaceNotFoundError } from '@temporalio/common';
import { KitError, ValidationError } from '../services/errors';
import { assertSupportedNode } from './node-version';

/**
 * The exit code of an error whose message is written for people (printed as one line, without a stack
 * trace), or undefined for a bug. Every such error of the kit extends KitError, which carries its code.
 * ValidationError cannot: it is a ServiceError, thrown inside activities too, where its `code` and
 * `retryable` become the Temporal failure; so it is named here. An order that fails the services'
 * validation is the caller's input to fix, like a bad flag: exit 2.
 */
function expectedExitCode(err: unknown): number | undefined {
  if (err instanceof KitError) return err.exitCode;
  if (err instanceof ValidationError) return 2;
  return undefined;
}

/**
 * The SDK's own errors that mean a setting is wrong, not that the kit has a bug, as one line. The
 * connection module checks the namespace up front; this covers one deleted while a command runs.
 */
function knownSdkError(err: unknown): string | undefined {
  if (err instanceof NamespaceNotFoundError) {
    return (
      `namespace "${err.namespace}" does not exist on the Temporal server: create it with ` +
      `\`npx temporal operator namespace create --namespace ${err.namespace}\`, or unset TEMPORAL_NAMESPACE.`
    );
  }
  return undefined;
}

/**
 * Runs a command's main function: expected errors print `error: <message>` and exit with their code
 * (2); anything else is a bug and keeps its stack trace (exit 1).
 */
export function runMain(main: () => Promise<number | void>): void {
  // The Node.js version first: on an older one, one line naming both versions, before anything else fails.
  Promise.resolve()
    .then(() => assertSupportedNode())
    .then(main)
    .then(
      (code) => {
        process.exitCode = code ?? 0;
        // Over, too: a call still pending (a client's long poll for a result it no longer needs) must
        // not hold the process.
        setTimeout(() => process.exit(), 500).unref();
      },
      (err: unknown) => {
        const known = knownSdkError(err);
        const exitCode = known !== undefined ? 2 : expectedExitCode(err);
        if (exitCode !== undefined) {
          process.stderr.write(`error: ${known ?? (err as Error).message}\n`);
          process.exitCode = exitCode;
        } else {
          // Some native errors come without a stack: their name and message then, never `undefined`.
          const shown = err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
          process.stderr.write(`${shown}\n`);
          process.exitCode = 1;
        }
        // The command is over. Temporal's worker runtime, once installed, can keep the process alive
        // with nothing left to do: if anything still holds it a moment from now, exit anyway.
        setTimeout(() => process.exit(), 500).unref();
      },
    );
}
