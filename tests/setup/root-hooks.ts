/**
 * Mocha root hooks: ONE Temporal dev server for the whole run, started only when a loaded test file
 * needs one (the integration and end-to-end tests), and stopped at the end even when tests fail.
 * So `npx mocha tests/unit/faults.test.ts` runs in a second, and a full run pays for one server. Once
 * it is up, the slow scenarios of the tests that will run start, side by side (../support/eager.ts).
 * The first run on a machine without the CLI may build it from source (minutes), hence no timeout.
 */
import { startTestServer, stopTestServer } from '../../common/kit/server';
import { startFirstWave } from '../support/eager';

function needsServer(suite: Mocha.Suite): boolean {
  if (suite.file && /[\\/]tests[\\/](integration|e2e)[\\/]/.test(suite.file)) return true;
  return suite.suites.some(needsServer);
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(0);
    let root = this.test?.parent;
    while (root?.parent) root = root.parent;
    if (!root || !needsServer(root)) return;
    await startTestServer();
    // The slow scenarios of the tests that will run start now, side by side (../support/eager.ts).
    startFirstWave(root);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestServer();
    // Not a failure (the tests allow for it), but worth seeing: how often the machine lost a task. Only
    // when a test loaded the harness: a unit-only run does not pay for loading the worker SDK.
    const harness = require.cache[require.resolve('../support/harness')]?.exports as
      typeof import('../support/harness') | undefined;
    const lost = harness?.attemptsNeverRun() ?? [];
    if (lost.length > 0) {
      console.log(
        `attempts that never reached a worker (retried by the server after their timeout): ${lost.length}: ${lost.join('; ')}`,
      );
    }
  },
};
