/**
 * Where the kit looks for the Temporal CLI. `npm install` links the kit's own `npx temporal` into
 * node_modules/.bin, which npm and npx put on PATH: the lookup must never take it (this copy's or
 * another copy's) for the CLI, or a command would start it in a loop instead of the dev server.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli } from '../../common/kit/temporal-cli';

function executable(file: string, text = '#!/bin/sh\necho fake\n'): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o755 });
  return file;
}

describe('finding the Temporal CLI', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'order-kit-cli-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("passes over any copy's npx temporal on PATH and takes the real CLI after it", () => {
    // Another copy of the kit, installed: its node_modules/.bin/temporal links to its npx-temporal entry.
    const entry = executable(path.join(dir, 'other-kit', 'scripts', 'npx-temporal', 'temporal.js'));
    const bin = path.join(dir, 'other-kit', 'node_modules', '.bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(entry, path.join(bin, 'temporal'));
    const real = executable(path.join(dir, 'cli', 'temporal'));
    const found = findTemporalCli({ PATH: [bin, path.dirname(real)].join(path.delimiter), HOME: dir });
    expect(found).to.deep.equal({ path: real, source: 'PATH' });
  });

  it('a TEMPORAL_CLI_PATH that is not executable: one line naming it and what to do', () => {
    const file = path.join(dir, 'nope');
    expect(() => findTemporalCli({ TEMPORAL_CLI_PATH: file, HOME: dir }))
      .to.throw(`TEMPORAL_CLI_PATH points to ${file}, which is not an executable file`)
      .with.property('name', 'KitError');
  });
});
