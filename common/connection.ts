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
import {
  loadClientConfigProfile,
  toClientOptions,
  type ClientConfigProfile,
  type ClientConnectConfig,
} from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { connectionProblem, NoAnswerInTime, notTls, TemporalConnectionError } from './connection-problems';

export const DEFAULT_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_NAMESPACE = 'default';

export interface TemporalSettings {
  address: string;
  namespace: string;
  /** Where the settings came from, for log lines: e.g. `profile "cloud" in /path/temporal.toml`. */
  source: string;
  /** Options for NativeConnection.connect (workers) and Connection.connect (clients). */
  connectionOptions: NativeConnectionOptions;
  /**
   * Why TLS is on, when it is: `api-key` (Temporal's convention: an API key turns TLS on unless TLS is
   * configured) or `configured` (TEMPORAL_TLS, a certificate, or the profile's tls section).
   */
  tlsBecause?: 'api-key' | 'configured';
  /** Where the API key was set, when there is one: `TEMPORAL_API_KEY`, or the profile's `api_key`. */
  apiKeyFrom?: string;
  /** Where the namespace was set, for messages: `TEMPORAL_NAMESPACE`, `profile "x" in FILE`, or undefined (default). */
  namespaceFrom?: string;
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

/** The file Temporal's environment configuration reads when TEMPORAL_CONFIG_FILE is not set. */
function defaultConfigFile(env: NodeJS.ProcessEnv): string {
  if (process.platform === 'win32') return path.join(env.APPDATA ?? '%APPDATA%', 'temporalio', 'temporal.toml');
  if (process.platform === 'darwin') {
    return path.join(env.HOME ?? os.homedir(), 'Library', 'Application Support', 'temporalio', 'temporal.toml');
  }
  const xdg = env.XDG_CONFIG_HOME;
  return path.join(
    xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME ?? os.homedir(), '.config'),
    'temporalio',
    'temporal.toml',
  );
}

/**
 * `host:port` split, or undefined when `address` does not have that form: a host name, an IPv4 address
 * or a bracketed IPv6 address (`[::1]`), a colon, and a port from 1 to 65535. No scheme, no path.
 */
export function parseAddress(address: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?)):(\d{1,5})$/.exec(address);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65_535) return undefined;
  const host = match[1] ?? match[2];
  if (match[1] !== undefined && net.isIPv6(host) === false) return undefined;
  return { host, port };
}

/**
 * The one-line answer to an address that is not `host:port`, naming where it was set: `TEMPORAL_ADDRESS`,
 * or the profile (`profile "x" in FILE`).
 */
function malformedAddress(address: string, from: string): TemporalConnectionError {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(address)?.[0];
  const hint = scheme
    ? ` (without "${scheme}")`
    : net.isIPv6(address.replace(/:\d+$/, '')) || /^[0-9A-Fa-f:]+$/.test(address)
      ? ' (an IPv6 address goes in brackets: [::1]:7233)'
      : '';
  return new TemporalConnectionError(
    `${from === 'TEMPORAL_ADDRESS' ? from : 'the address'} ${JSON.stringify(address)}` +
      `${from === 'TEMPORAL_ADDRESS' ? '' : ` (${from})`} is malformed: an address takes the form host:port${hint}, ` +
      `e.g. ${DEFAULT_ADDRESS} or temporal.example.com:7233.`,
  );
}

/** The file a profile names that is not there: Node's own error from reading it (ENOENT, with its path). */
function missingFile(err: unknown): string | undefined {
  const { code, path: file } = (err ?? {}) as NodeJS.ErrnoException;
  return code === 'ENOENT' && typeof file === 'string' ? file : undefined;
}

/** The profile as Temporal's environment configuration reads it, with its errors in one line each. */
function loadProfile(
  env: NodeJS.ProcessEnv,
  chosen: string | undefined,
  configFile: string | undefined,
): ClientConfigProfile {
  const profile = chosen || 'default';
  try {
    return loadClientConfigProfile({
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
    const file = configFile ?? defaultConfigFile(env);
    // A syntax error in the file (smol-toml's TomlError carries the line and column).
    const toml = err as { line?: unknown; column?: unknown };
    if (err instanceof Error && err.constructor.name === 'TomlError' && typeof toml.line === 'number') {
      const what = reason.replace(/^Invalid TOML document: /, '').split('\n')[0];
      throw new TemporalConnectionError(
        `${configFile ? 'TEMPORAL_CONFIG_FILE ' : 'the Temporal config file '}${file} is not valid TOML at line ` +
          `${toml.line}, column ${String(toml.column)} (${what}): fix that line${configFile ? ' or unset TEMPORAL_CONFIG_FILE' : ''}.`,
      );
    }
    // Temporal's environment configuration (envconfig-toml, tomlLoadClientConfigProfile) says a profile is
    // missing only in words: a plain Error, "Profile 'x' not found in config data".
    if (/^Profile '.*' not found/.test(reason)) {
      throw new TemporalConnectionError(
        `TEMPORAL_PROFILE "${profile}" is not in ${configFile ?? 'the Temporal config file'}: ` +
          `add a [profile.${profile}] section or pick another profile.`,
      );
    }
    const missing = missingFile(err);
    if (missing) {
      throw new TemporalConnectionError(
        `the Temporal profile "${profile}" names ${missing}, which does not exist: fix the path in ${configFile ?? 'the config file'}.`,
      );
    }
    throw new TemporalConnectionError(`cannot read the Temporal connection settings: ${reason.split('\n')[0]}`);
  }
}

/**
 * The connection settings from the profile file and the environment, checked: a missing or malformed
 * profile file, an unknown profile, a certificate file that does not exist or an address that is not
 * `host:port` is reported here, by name.
 */
export function temporalSettings(env: NodeJS.ProcessEnv = process.env): TemporalSettings {
  const chosen = env.TEMPORAL_PROFILE?.trim();
  const profileName = chosen || 'default';
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
  const profile = loadProfile(env, chosen, configFile);
  let loaded: ClientConnectConfig;
  try {
    loaded = toClientOptions(profile);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const missing = missingFile(err);
    if (missing) {
      throw new TemporalConnectionError(
        `the Temporal profile "${profileName}" names ${missing}, which does not exist: fix the path in ${configFile ?? 'the config file'}.`,
      );
    }
    throw new TemporalConnectionError(`cannot read the Temporal connection settings: ${reason.split('\n')[0]}`);
  }
  const fromFile = `profile "${profileName}" in ${configFile ?? defaultConfigFile(env)}`;
  const address = loaded.connectionOptions.address?.trim() || DEFAULT_ADDRESS;
  if (!parseAddress(address))
    throw malformedAddress(address, env.TEMPORAL_ADDRESS?.trim() ? 'TEMPORAL_ADDRESS' : fromFile);
  const tlsOn = Boolean(loaded.connectionOptions.tls);
  return {
    address,
    namespace: loaded.namespace || DEFAULT_NAMESPACE,
    source: describeSource(env, profileName),
    connectionOptions: { ...loaded.connectionOptions, address },
    ...(tlsOn
      ? { tlsBecause: profile.tls === undefined && profile.apiKey !== undefined ? 'api-key' : 'configured' }
      : {}),
    ...(profile.apiKey !== undefined
      ? {
          apiKeyFrom: env.TEMPORAL_API_KEY?.trim()
            ? 'TEMPORAL_API_KEY'
            : `the api_key of profile "${profileName}" in ${configFile ?? defaultConfigFile(env)}`,
        }
      : {}),
    ...(env.TEMPORAL_NAMESPACE?.trim()
      ? { namespaceFrom: 'TEMPORAL_NAMESPACE' }
      : profile.namespace
        ? { namespaceFrom: `profile "${profileName}" in ${configFile ?? defaultConfigFile(env)}` }
        : {}),
  };
}

/** A worker's connection (Rust core). Fails within about 5 s with one line when nothing answers. */
export async function connectWorker(settings: TemporalSettings = temporalSettings()): Promise<NativeConnection> {
  let connection: NativeConnection;
  try {
    await speaksTls(settings);
    connection = await withDeadline(NativeConnection.connect(settings.connectionOptions), 5_000, (c) => void c.close());
  } catch (err) {
    throw connectionProblem(settings, err);
  }
  await namespaceAnswers(connection, settings);
  return connection;
}

/**
 * A client on its own connection. Close it with `client.connection.close()`. A refused connection is
 * reported at once (gRPC on its own would keep retrying until its deadline), and so is a namespace the
 * server does not have.
 */
export async function connectClient(settings: TemporalSettings = temporalSettings()): Promise<Client> {
  let connection: Connection;
  try {
    await refusedFast(settings.address);
    await speaksTls(settings);
    if (settings.tlsBecause) ignoreIpServerNameWarning(settings);
    connection = await Connection.connect({ ...settings.connectionOptions, connectTimeout: '5 seconds' });
  } catch (err) {
    throw connectionProblem(settings, err);
  }
  await namespaceAnswers(connection, settings);
  return new Client({ connection, namespace: settings.namespace });
}

/**
 * Asks the server about the settings' namespace, within 5 s: a server that answers but does not have
 * it (or a connection that only seemed open) fails here, closed, with one line, not at the first call.
 */
async function namespaceAnswers(connection: Connection | NativeConnection, settings: TemporalSettings): Promise<void> {
  try {
    await connection.withDeadline(Date.now() + 5_000, () =>
      connection.workflowService.describeNamespace({ namespace: settings.namespace }),
    );
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw connectionProblem(settings, err);
  }
}

/** Rejects with a "connection refused" error when nothing listens at host:port; otherwise resolves. */
function refusedFast(address: string): Promise<void> {
  const parsed = parseAddress(address);
  if (!parsed) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: parsed.host, port: parsed.port });
    const done = (err?: NodeJS.ErrnoException) => {
      socket.destroy();
      if (err?.code === 'ECONNREFUSED') reject(err);
      else resolve(); // anything else (a slow network, a proxy) is for gRPC to judge
    };
    socket.setTimeout(2_000, () => done());
    socket.once('connect', () => done());
    socket.once('error', (err) => done(err));
  });
}

/**
 * With TLS on, says a TLS hello to the server first. A server that answers with something that is not
 * TLS (a plain dev server answers in plain HTTP/2) gets one clear line (`notTls`) instead of a transport
 * error or a 5 s wait. Everything else (no answer, a certificate problem) is for the real connection to judge.
 */
function speaksTls(settings: TemporalSettings): Promise<void> {
  const parsed = parseAddress(settings.address);
  if (!settings.tlsBecause || !parsed) return Promise.resolve();
  const options = settings.connectionOptions.tls;
  const serverName = typeof options === 'object' && options ? options.serverNameOverride : undefined;
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: parsed.host,
      port: parsed.port,
      // SNI takes a host name, never an IP address (RFC 6066).
      ...(serverName || !net.isIP(parsed.host) ? { servername: serverName ?? parsed.host } : {}),
      ALPNProtocols: ['h2'],
      // Only whether the server speaks TLS at all: the real connection checks its certificate.
      rejectUnauthorized: false,
    });
    const done = (err?: NodeJS.ErrnoException) => {
      socket.destroy();
      // OpenSSL's codes for a reply that is not a TLS record: a plain server answered.
      if (
        err?.code &&
        /^ERR_SSL_(WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|RECORD_LAYER_FAILURE)/.test(err.code)
      ) {
        reject(notTls(settings));
      } else resolve();
    };
    socket.setTimeout(3_000, () => done());
    socket.once('secureConnect', () => done());
    socket.once('error', (err) => done(err));
  });
}

let ipWarningIgnored = false;

/**
 * gRPC for Node passes the host of the address as the TLS server name, even an IP address, which Node
 * warns about on every such connection (DEP0123: `Setting the TLS ServerName to an IP address is not
 * permitted by RFC 6066`). It changes nothing for the connection and is not the user's to fix: that
 * one warning is dropped when the address is an IP address; every other warning still shows.
 */
function ignoreIpServerNameWarning(settings: TemporalSettings): void {
  const parsed = parseAddress(settings.address);
  if (ipWarningIgnored || !parsed || !net.isIP(parsed.host)) return;
  ipWarningIgnored = true;
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((...args: unknown[]) => {
    const [, typeOrOptions, code] = args;
    const warningCode =
      typeof typeOrOptions === 'object' && typeOrOptions !== null ? (typeOrOptions as { code?: unknown }).code : code;
    if (warningCode !== 'DEP0123') emitWarning(...args);
  }) as typeof process.emitWarning;
}

/** Resolves with `promise`, or rejects after `ms` (and disposes of a late result with `dispose`). */
function withDeadline<T>(promise: Promise<T>, ms: number, dispose: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(new NoAnswerInTime(`no answer within ${ms} ms`));
    }, ms);
  });
  promise.then(
    (value) => late && dispose(value),
    () => undefined,
  );
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
