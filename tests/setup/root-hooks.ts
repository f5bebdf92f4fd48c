/**
 * Mocha root hooks: ONE Temporal dev server for the whole run, started only when a loaded test file
 * needs one (the integration and end-to-end tests), and stopped at the end even when tests fail.
 * So `npx mocha tests/unit/faults.test.ts` runs in a second, and a full run pays for one server.
 * The first run on a machine without the CLI may build it from source (minutes), hence no timeout.
 */
import { startTestServer, stopTestServer } from '../support/server';

function needsServer(suite: Mocha.Suite): boolean {
  if (suite.file && /[\\/]tests[\\/](integration|e2e)[\\/]/.test(suite.file)) return true;
  return suite.suites.some(needsServer);
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(0);
    let root = this.test?.parent;
    while (root?.parent) root = root.parent;
    if (root && needsServer(root)) await startTestServer();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestServer();
  },
};
