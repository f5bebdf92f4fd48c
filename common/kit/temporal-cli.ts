/**
 * Finds (or provisions) the `temporal` CLI that runs the local dev server.
 *
 * Order of search, first hit wins:
 *   1. TEMPORAL_CLI_PATH
 *   2. `temporal` on PATH
 *   3. the user-level cache (built from source earlier): ~/.cache/temporal-cli/<version>/temporal
 *   4. a binary the Temporal SDK downloaded earlier into ~/.cache/temporal-cli/sdk-download/
 *   5. the SDK's download (needs internet)
 *   6. `go install github.com/temporalio/cli/cmd/temporal@<version>` into the cache (needs Go; minutes)
 * If none works it says what to install. Tests, the grader, the demos and `npm run server` all use
 * this module, so a machine builds the CLI at most once.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KitError } from '../../services/errors';

/** The newest CLI tag that `go install` accepts (later tags carry a `replace` directive). */
export const TEMPORAL_CLI_SOURCE_VERSION = 'v1.5.1';
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

export type Log = (line: string) => void;

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TEMPORAL_CLI_CACHE) return path.resolve(env.TEMPORAL_CLI_CACHE);
  const base = env.XDG_CACHE_HOME ? path.resolve(env.XDG_CACHE_HOME) : path.join(os.homedir(), '.cache');
  return path.join(base, 'temporal-cli');
}

export function builtCliPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), TEMPORAL_CLI_SOURCE_VERSION, 'temporal');
}

export function sdkDownloadDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheRoot(env), 'sdk-download');
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The kit's own `npx temporal` (scripts/npx-temporal/temporal.js): `npm install` links it into
 * node_modules/.bin, which npm and npx put on PATH. It runs this module, so it is never the CLI itself,
 * neither this checkout's nor another copy's of the kit (a command run from one copy in another).
 */
const KIT_ENTRY = path.join('scripts', 'npx-temporal', 'temporal.js');

function isKitEntry(file: string): boolean {
  try {
    return fs.realpathSync(file).endsWith(path.sep + KIT_ENTRY);
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (isExecutable(candidate) && !isKitEntry(candidate)) return candidate;
  }
  return undefined;
}

function findSdkDownload(env: NodeJS.ProcessEnv): string | undefined {
  const dir = sdkDownloadDir(env);
  if (!fs.existsSync(dir)) return undefined;
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith('temporal'))
    .map((name) => path.join(dir, name))
    .find(isExecutable);
}

/** The binary if one is already on this machine; never downloads or builds. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): { path: string; source: string } | undefined {
  if (env.TEMPORAL_CLI_PATH) {
    const file = path.resolve(env.TEMPORAL_CLI_PATH);
    if (!isExecutable(file)) {
      throw new KitError(
        `TEMPORAL_CLI_PATH points to ${file}, which is not an executable file: point it at a \`temporal\` binary, or unset it.`,
      );
    }
    return { path: file, source: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const built = builtCliPath(env);
  if (isExecutable(built)) return { path: built, source: 'cache (built from source)' };
  const downloaded = findSdkDownload(env);
  if (downloaded) return { path: downloaded, source: 'cache (SDK download)' };
  return undefined;
}

/** Tries the SDK's own download of the dev server. Resolves to the binary path, or undefined. */
async function trySdkDownload(log: Log, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (env.TEMPORAL_SKIP_DOWNLOAD === '1') return undefined;
  log('Temporal CLI not found; trying the Temporal SDK download…');
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const downloadDir = sdkDownloadDir(env);
  fs.mkdirSync(downloadDir, { recursive: true });
  const timeoutMs = Number(env.TEMPORAL_DOWNLOAD_TIMEOUT_MS ?? 60_000);
  let timer: NodeJS.Timeout | undefined;
  try {
    const started = TestWorkflowEnvironment.createLocal({
      server: { executable: { type: 'cached-download', downloadDir } },
    });
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    const testEnv = await Promise.race([started, timeout]);
    await testEnv.teardown();
    return findSdkDownload(env);
  } catch (err) {
    log(`  the download did not work (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
    return undefined;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** Builds the CLI from source with Go into the cache, printing progress. */
async function buildFromSource(log: Log, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const go = onPath('go', env) ?? (isExecutable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) return undefined;
  const target = builtCliPath(env);
  const staging = fs.mkdtempSync(path.join(cacheRoot(env), '.build-'));
  log(
    `Building the Temporal CLI ${TEMPORAL_CLI_SOURCE_VERSION} from source with Go, first time only ` +
      `(a few minutes; later runs reuse ${target})…`,
  );
  const startedAt = Date.now();
  const ticker = setInterval(() => {
    log(`  still building the Temporal CLI… ${Math.round((Date.now() - startedAt) / 1000)} s`);
  }, 20_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(go, ['install', `${GO_PACKAGE}@${TEMPORAL_CLI_SOURCE_VERSION}`], {
        env: { ...env, GOBIN: staging, GOTOOLCHAIN: 'local' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) {
      log(`  go install exited with code ${code}`);
      return undefined;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Rename is atomic, so a second process never sees a half-written binary.
    fs.renameSync(path.join(staging, 'temporal'), target);
    log(`  built in ${Math.round((Date.now() - startedAt) / 1000)} s: ${target}`);
    return target;
  } finally {
    clearInterval(ticker);
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export class TemporalCliMissingError extends KitError {
  constructor() {
    super(
      [
        'No Temporal CLI found, the SDK download failed, and Go is not installed to build it.',
        'Do one of these, then run the command again:',
        '  - install the Temporal CLI (https://docs.temporal.io/cli) and put `temporal` on your PATH,',
        '  - or set TEMPORAL_CLI_PATH to an existing `temporal` binary,',
        `  - or install Go 1.23+ and let this kit build it (go install ${GO_PACKAGE}@${TEMPORAL_CLI_SOURCE_VERSION}).`,
      ].join('\n'),
    );
  }
}

/**
 * The path of a working `temporal` binary, provisioning one when needed.
 * `log` receives progress lines (default: stderr).
 */
export async function ensureTemporalCli(
  log: Log = (line) => process.stderr.write(`${line}\n`),
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const found = findTemporalCli(env);
  if (found) return found.path;
  fs.mkdirSync(cacheRoot(env), { recursive: true });
  const downloaded = await trySdkDownload(log, env);
  if (downloaded) return downloaded;
  const built = await buildFromSource(log, env);
  if (built) return built;
  throw new TemporalCliMissingError();
}

/** `temporal --version`, or undefined when the binary does not run. */
export function cliVersion(binary: string): string | undefined {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}
