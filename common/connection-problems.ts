/**
 * What a failed connection to Temporal means, in one line naming the address and what to do next: a
 * server that does not answer, one that does not speak TLS, a namespace it does not have, credentials
 * it refuses. Told apart by the error's class, its gRPC status code or Node's error code; by its text
 * only where that is all the SDK gives (transportText says where).
 */
import { isGrpcServiceError } from '@temporalio/client';
import { TransportError } from '@temporalio/worker';
import { KitError } from '../services/errors';
import type { TemporalSettings } from './connection';

/** A setting that cannot work, or a server that does not answer. The message is meant for people. */
export class TemporalConnectionError extends KitError {}

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html) the messages below tell apart. */
const GRPC = {
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** Nothing answered within the time given: the connection module's own deadline (its withDeadline). */
export class NoAnswerInTime extends Error {}

const NO_ANSWER = 'no answer within 5 s';

/** What a gRPC error says about itself: its status code, and the server's (or the transport's) words. */
interface GrpcStatus {
  code: number;
  details: string;
  message: string;
}

/**
 * The gRPC status of an error from either connection, or of the error it wraps: the client wraps a
 * failed first call in its own ServiceError (`cause`); the worker's native ServiceError is one itself.
 */
function grpcStatus(err: unknown): GrpcStatus | undefined {
  for (let e = err; e instanceof Error; e = e.cause) if (isGrpcServiceError(e)) return e;
  return undefined;
}

/** Node's codes for a TLS failure: its own (ERR_TLS_…, ERR_SSL_…) and OpenSSL's verdicts on a certificate. */
const TLS_CODE =
  /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_(VERIFY|GET)_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$)/;

/**
 * Why a socket failed, by Node's error code (`err.code`), when it has one that says (the connection
 * module's own sockets do).
 */
function byNodeCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ETIMEDOUT') return NO_ANSWER;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (TLS_CODE.test(code)) return `TLS failed (${(err as Error).message.split('\n')[0].slice(0, 120)})`;
  return undefined;
}

/**
 * The text that is all the SDK says about a failed connection, where it says nothing else:
 *   - the worker's connection (@temporalio/core-bridge, src/client.rs) turns every transport failure into
 *     a TransportError whose message is the Rust error's debug text (`ConnectionRefused`, `dns error`,
 *     `InvalidCertificate`…), with no code;
 *   - the client's connection waits with grpc-js `waitForReady`, which fails with a bare Error ("Failed to
 *     connect before the deadline"), with no code;
 *   - an UNAVAILABLE status says why only in its text (grpc-js: "No connection established. Last error: …").
 */
function transportText(err: unknown, status: GrpcStatus | undefined): string | undefined {
  if (err instanceof TransportError) return err.message;
  if (status) return status.code === GRPC.UNAVAILABLE ? status.details || status.message : undefined;
  if (err instanceof Error && Object.getPrototypeOf(err) === Error.prototype) return err.message;
  return undefined;
}

/**
 * Why the server did not answer, in a few words: by the error's class, its gRPC status or Node's code;
 * by its text only where that is all the SDK gives (transportText).
 */
function whyUnreachable(err: unknown): string {
  const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  if (err instanceof NoAnswerInTime) return NO_ANSWER;
  const byCode = byNodeCode(err);
  if (byCode) return byCode;
  const status = grpcStatus(err);
  if (status?.code === GRPC.DEADLINE_EXCEEDED) return NO_ANSWER;
  const text = transportText(err, status);
  if (text !== undefined) {
    if (/refused/i.test(text)) return 'connection refused';
    if (/deadline|timed? ?out/i.test(text)) return NO_ANSWER;
    if (/dns|resolve|ENOTFOUND|lookup/i.test(text)) return 'the host name does not resolve';
    if (/tls|certificate|handshake|ssl/i.test(text)) return `TLS failed (${reason.slice(0, 120)})`;
  }
  return reason.slice(0, 160);
}

/** The one-line answer to "the server did not answer": the address, and what to do next. */
export function unreachable(
  settings: Pick<TemporalSettings, 'address' | 'source'>,
  err: unknown,
): TemporalConnectionError {
  const why = whyUnreachable(err);
  const local = /^(127\.0\.0\.1|localhost|\[::1\]):/.test(settings.address);
  return new TemporalConnectionError(
    `cannot reach Temporal at ${settings.address} (${why}; settings from ${settings.source}). ` +
      (local
        ? 'Start a local server with `npm run server` in another terminal, or point TEMPORAL_ADDRESS at yours.'
        : 'Check the address, the network and the TLS/API key settings of your profile ' +
          '(or unset TEMPORAL_ADDRESS and start a local server with `npm run server`).'),
  );
}

/** TLS is on, and the server answered a TLS hello with something else: plain gRPC, most likely. */
export function notTls(
  settings: Pick<TemporalSettings, 'address' | 'tlsBecause' | 'apiKeyFrom'>,
): TemporalConnectionError {
  return new TemporalConnectionError(
    settings.tlsBecause === 'api-key'
      ? `${settings.apiKeyFrom ?? 'an API key'} is set, and an API key turns TLS on, but the server at ` +
          `${settings.address} does not speak TLS: set TEMPORAL_TLS=false to send the key without TLS, or unset the key.`
      : `TLS is on (TEMPORAL_TLS or the profile's tls settings), but the server at ${settings.address} does not ` +
          'speak TLS: set TEMPORAL_TLS=false, or point TEMPORAL_ADDRESS at a server that does.',
  );
}

/**
 * What a failed call to the server means, in one line: a namespace it does not have, credentials it
 * refuses, or (anything else) a server that cannot be reached. By gRPC status code.
 */
export function connectionProblem(settings: TemporalSettings, err: unknown): TemporalConnectionError {
  if (err instanceof TemporalConnectionError) return err;
  const status = grpcStatus(err);
  const code = status?.code;
  const detail = (status?.message ?? (err instanceof Error ? err.message : String(err))).split('\n')[0].slice(0, 160);
  if (code === GRPC.NOT_FOUND) {
    const { namespace } = settings;
    return new TemporalConnectionError(
      `namespace "${namespace}" does not exist on ${settings.address}: create it on the dev server with ` +
        `\`npx temporal operator namespace create --namespace ${namespace}\`, or ` +
        (settings.namespaceFrom === 'TEMPORAL_NAMESPACE' || settings.namespaceFrom === undefined
          ? 'unset TEMPORAL_NAMESPACE.'
          : `change the namespace of ${settings.namespaceFrom}.`),
    );
  }
  if (code === GRPC.UNAUTHENTICATED || code === GRPC.PERMISSION_DENIED) {
    return new TemporalConnectionError(
      `the server at ${settings.address} refused these credentials for namespace "${settings.namespace}" (${detail}): ` +
        "check TEMPORAL_API_KEY or the profile's client certificate, and that they are for this namespace.",
    );
  }
  return unreachable(settings, err);
}
