/**
 * Mocha root hooks: ONE Temporal dev server for the whole run, torn down even when tests fail.
 * The first run on a machine without the CLI may build it from source (minutes), hence no timeout.
 */
import { startTestServer, stopTestServer } from '../support/server';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(0);
    await startTestServer();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopTestServer();
  },
};
