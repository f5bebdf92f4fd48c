/**
 * `npm run server`: a persistent Temporal dev server for working by hand.
 * gRPC on TEMPORAL_ADDRESS's port (default 7233), Web UI on 8233, database under .temporal/,
 * so workflows survive a restart of the server.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../services';
import { runMain } from '../common/cli';
import { commandArgs } from './lib/args';
import { isListening } from '../common/kit/net';
import { ensureTemporalCli } from '../common/kit/temporal-cli';
import { DEMO_NAMESPACE } from './lib/temporal-run';
import { removeServerInfo, webUiUrl, writeServerInfo } from './lib/ui';

const FLAGS = {
  port: { type: 'int', min: 1, description: 'gRPC port (default 7233)' },
  'ui-port': { type: 'int', min: 1, description: 'Web UI port (default 8233)' },
  db: { type: 'string', description: 'database file (default .temporal/dev.db)' },
} as const;

const SUMMARY = 'Starts a persistent Temporal dev server (Ctrl-C stops it).';

async function main(): Promise<number> {
  const args = commandArgs('npm run server --', SUMMARY, FLAGS);
  if (!args) return 0;
  const port = args.port ?? 7233;
  const uiPort = args['ui-port'] ?? 8233;
  const db = path.resolve(args.db ?? path.join(REPO_ROOT, '.temporal', 'dev.db'));
  if (await isListening('127.0.0.1', port)) {
    console.log(`Something already listens on 127.0.0.1:${port}: probably a Temporal server you started earlier.`);
    const ui = await webUiUrl(`127.0.0.1:${port}`);
    if (ui) console.log(`Web UI: ${ui}`);
    return 0;
  }
  const binary = await ensureTemporalCli((line) => console.log(line));
  fs.mkdirSync(path.dirname(db), { recursive: true });
  console.log(
    `Starting the Temporal dev server: gRPC 127.0.0.1:${port}, Web UI http://localhost:${uiPort}, database ${db}`,
  );
  const child = spawn(
    binary,
    [
      'server',
      'start-dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--ui-port',
      String(uiPort),
      '--namespace',
      DEMO_NAMESPACE,
      '--db-filename',
      db,
      '--log-level',
      'warn',
    ],
    { stdio: 'inherit' },
  );
  writeServerInfo({ address: `127.0.0.1:${port}`, uiUrl: `http://localhost:${uiPort}`, pid: child.pid! });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      removeServerInfo();
      resolve(code ?? 0);
    }),
  );
}

if (require.main === module) runMain(main);
