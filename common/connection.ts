/**
 * How every worker, client and script finds Temporal: Temporal's own environment configuration
 * (`@temporalio/envconfig`), the same settings the `temporal` CLI reads.
 *
 *   - a TOML profile file: TEMPORAL_CONFIG_FILE, or ~/.config/temporalio/temporal.toml when it exists;
 *     TEMPORAL_PROFILE picks a profile (default `default`);
 *   - environment variables, which override the file: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
 *     TEMPORAL_API_KEY, TEMPORAL_TLS, TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH,
 *     TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME, …
 *   - with none of them: the local dev server (`npm run server`) at 127.0.0.1:7233, namespace `default`.
 *
 * So the lesson code runs unchanged against a laptop, a company cluster or Temporal Cloud: only the
 * profile changes. Bad settings fail at once with one line naming the setting and what to do.
 */
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import fs from 'node:fs';
import net from 'node:net';

export const DEFAULT_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';

/** A setting that cannot work, or a server that does not answer. The message is meant for people. */
export class TemporalConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemporalConnectionError';
  }
}

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Where the settings came from, for log lines: e.g. `profile "cloud" in /path/temporal.toml`. */
  source: string;
  /** Options for NativeConnection.connect (workers) and Connection.connect (clients). */
  connectionOptions: NativeConnectionOptions;
}

const TLS_PATH_SETTINGS = [
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
] as const;

function describeSource(env: NodeJS.ProcessEnv, profile: string): string {
  const file = env.TEMPORAL_CONFIG_FILE;
  const parts = [file ? `profile "${profile}" in ${file}` : undefined];
  if (env.TEMPORAL_ADDRESS) parts.push('TEMPORAL_ADDRESS');
  return parts.filter(Boolean).join(', ') || 'defaults (the local dev server)';
}

/**
 * The connection settings from the profile file and the environment, checked: a missing profile file,
 * an unknown profile or a certificate file that does not exist is reported here, by name.
 */
export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const chosen = env.TEMPORAL_PROFILE?.trim();
  const profile = chosen || 'default';
  const configFile = env.TEMPORAL_CONFIG_FILE?.trim();
  if (configFile && !fs.existsSync(configFile)) {
    throw new TemporalConnectionError(
      `TEMPORAL_CONFIG_FILE points to ${configFile}, which does not exist: fix the path or unset it.`,
    );
  }
  for (const name of TLS_PATH_SETTINGS) {
    const file = env[name];
    if (file && !fs.existsSync(file)) {
      throw new TemporalConnectionError(`${name} points to ${file}, which does not exist: fix the path or unset it.`);
    }
  }
  let loaded: ClientConnectConfig;
  try {
    loaded = loadClientConnectConfig({
      // Without TEMPORAL_PROFILE the file's `default` profile is used when there is one, else none.
      ...(chosen ? { profile: chosen } : {}),
      ...(configFile ? { configSource: { path: configFile } } : {}),
      // An empty variable counts as unset (as in a shell: `TEMPORAL_ADDRESS= npm run worker`).
      overrideEnvVars: Object.fromEntries(
        Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1].trim() !== ''),
      ),
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (/profile/i.test(reason) && /not found|does not exist|missing/i.test(reason)) {
      throw new TemporalConnectionError(
        `TEMPORAL_PROFILE "${profile}" is not in ${configFile ?? 'the Temporal config file'}: ` +
          `add a [profile.${profile}] section or pick another profile.`,
      );
    }
    const missingFile = /ENOENT[^']*'([^']+)'/.exec(reason);
    if (missingFile) {
      throw new TemporalConnectionError(
        `the Temporal profile "${profile}" names ${missingFile[1]}, which does not exist: fix the path in ${configFile ?? 'the config file'}.`,
      );
    }
    throw new TemporalConnectionError(`cannot read the Temporal connection settings: ${reason.split('\n')[0]}`);
  }
  const address = loaded.connectionOptions.address || DEFAULT_ADDRESS;
  return {
    address,
    namespace: loaded.namespace || DEFAULT_NAMESPACE,
    source: describeSource(env, profile),
    connectionOptions: { ...loaded.connectionOptions, address },
  };
}

/** The one-line answer to "the server did not answer": the address, and what to do next. */
export function unreachable(
  settings: Pick<TemporalSettings, 'address' | 'source'>,
  err: unknown,
): TemporalConnectionError {
  const reason = err instanceof Error ? err.message : String(err);
  const why = /refused/i.test(reason)
    ? 'connection refused'
    : /deadline|timed? ?out/i.test(reason)
      ? 'no answer within 5 s'
      : /dns|resolve|ENOTFOUND|lookup/i.test(reason)
        ? 'the host name does not resolve'
        : /tls|certificate|handshake|ssl/i.test(reason)
          ? `TLS failed (${reason.split('\n')[0].slice(0, 120)})`
          : reason.split('\n')[0].slice(0, 160);
  const local = /^(127\.0\.0\.1|localhost|\[::1\]):/.test(settings.address);
  return new TemporalConnectionError(
    `cannot reach Temporal at ${settings.address} (${why}; settings from ${settings.source}). ` +
      (local
        ? 'Start a local server with `npm run server` in another terminal, or point TEMPORAL_ADDRESS at yours.'
        : 'Check the address, the network and the TLS/API key settings of your profile ' +
          '(or unset TEMPORAL_ADDRESS and start a local server with `npm run server`).'),
  );
}

/** A worker's connection (Rust core). Fails within about 5 s with one line when nothing answers. */
export async function connectWorker(settings: TemporalSettings = temporalSettings()): Promise<NativeConnection> {
  try {
    return await withDeadline(NativeConnection.connect(settings.connectionOptions), 5_000, (c) => void c.close());
  } catch (err) {
    throw unreachable(settings, err);
  }
}

/**
 * A client on its own connection. Close it with `client.connection.close()`. A refused connection is
 * reported at once (gRPC on its own would keep retrying until its deadline).
 */
export async function connectClient(settings: TemporalSettings = temporalSettings()): Promise<Client> {
  let connection: Connection;
  try {
    await refusedFast(settings.address);
    connection = await Connection.connect({ ...settings.connectionOptions, connectTimeout: '5 seconds' });
  } catch (err) {
    throw unreachable(settings, err);
  }
  return new Client({ connection, namespace: settings.namespace });
}

/** Rejects with a "connection refused" error when nothing listens at host:port; otherwise resolves. */
function refusedFast(address: string): Promise<void> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  if (at < 0 || !Number.isInteger(port)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const done = (err?: Error) => {
      socket.destroy();
      if (err && /ECONNREFUSED/.test(err.message)) reject(new Error('connection refused'));
      else resolve(); // anything else (a slow network, a proxy) is for gRPC to judge
    };
    socket.setTimeout(2_000, () => done());
    socket.once('connect', () => done());
    socket.once('error', (err) => done(err));
  });
}

/** Resolves with `promise`, or rejects after `ms` (and disposes of a late result with `dispose`). */
function withDeadline<T>(promise: Promise<T>, ms: number, dispose: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new Error('deadline exceeded'));
    }, ms);
  });
  promise.then(
    (value) => late && dispose(value),
    () => undefined,
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
