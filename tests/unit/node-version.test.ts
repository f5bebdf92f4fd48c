/**
 * Every command checks the Node.js version first: on one older than 22.12 it prints one line naming the
 * version needed and the one found, and exits 2, before anything else can fail with a stack trace.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSupportedNode, MINIMUM_NODE, NodeVersionError } from '../../common/node-version';

const ROOT = path.resolve(__dirname, '../..');

describe('the Node.js version check', () => {
  it('accepts 22.12 and later, refuses anything older', () => {
    for (const v of ['v22.12.0', 'v22.23.5', 'v24.0.0', 'v26.12.1']) expect(isSupportedNode(v), v).to.equal(true);
    for (const v of ['v20.20.2', 'v22.11.9', 'v18.0.0', 'v22.1.0']) expect(isSupportedNode(v), v).to.equal(false);
    expect(MINIMUM_NODE).to.equal('22.12.0');
  });

  it('names the version needed and the one found', () => {
    expect(new NodeVersionError('v20.20.2').message).to.match(
      /needs Node\.js 22\.12 or later .*this is Node\.js v20\.20\.2/,
    );
  });

  it('npm run original on Node.js 20 says so in one line and exits 2', () => {
    // The process reports itself as Node.js 20 (the check reads process.version), whatever runs the test.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-node-'));
    const preload = path.join(dir, 'as-node-20.js');
    fs.writeFileSync(preload, "Object.defineProperty(process, 'version', { value: 'v20.20.2' });\n");
    try {
      const run = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), 'scripts/original.ts'], {
        cwd: ROOT,
        env: { ...process.env, NODE_OPTIONS: `--require ${preload}`, TS_NODE_TRANSPILE_ONLY: 'true' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      const lines = `${run.stdout}${run.stderr}`.split('\n').filter(Boolean);
      expect(lines, lines.join('\n')).to.deep.equal([
        'error: this kit needs Node.js 22.12 or later (22, 24 or 26); this is Node.js v20.20.2. ' +
          'Install a newer one (https://nodejs.org, or `nvm use` with the kit’s .nvmrc) and run the command again.',
      ]);
      expect(run.status).to.equal(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
