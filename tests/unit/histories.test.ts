/**
 * Every recorded history (tests/fixtures/histories/*.json) is replayed by npm test: its file name appears
 * in one of the replay tests (tests/integration/replay-*.test.ts). A recording nobody replays protects
 * nothing.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { HISTORIES_DIR } from '../support/histories';

const INTEGRATION = path.resolve(__dirname, '../integration');

describe('recorded histories', () => {
  it('each one is replayed by a replay test', () => {
    const tests = fs
      .readdirSync(INTEGRATION)
      .filter((file) => /^replay-.*\.test\.ts$/.test(file))
      .map((file) => fs.readFileSync(path.join(INTEGRATION, file), 'utf8'));
    const recorded = fs.readdirSync(HISTORIES_DIR).filter((file) => file.endsWith('.json'));
    expect(recorded.length).to.be.greaterThan(0);
    expect(recorded.filter((file) => !tests.some((text) => text.includes(`'${file}'`)))).to.deep.equal([]);
  });
});
