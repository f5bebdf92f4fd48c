#!/usr/bin/env node
// `npx temporal <args>`: the Temporal CLI this kit provisions (scripts/temporal.ts), with nothing printed but
// the CLI's own output, so `npx temporal workflow show -w … --output json | jq` works. `npm run temporal --
// <args>` runs the same command behind npm's two-line banner. `npm install` links this file into
// node_modules/.bin (the kit depends on this folder), which is why npx finds it without a download.
const path = require('node:path');

// Started again from inside itself (a lookup for the real CLI that found this file instead): say so once,
// rather than start copies of itself until something gives.
if (process.env.ORDER_KIT_NPX_TEMPORAL) {
  console.error(
    `error: the kit's npx temporal (${path.join(__dirname, 'temporal.js')}) was started in place of the Temporal CLI; set TEMPORAL_CLI_PATH to the CLI.`,
  );
  process.exit(2);
}
process.env.ORDER_KIT_NPX_TEMPORAL = '1';

const root = path.resolve(__dirname, '..', '..');
require(path.join(root, 'node_modules', 'ts-node')).register({ project: path.join(root, 'tsconfig.json') });
require(path.join(root, 'scripts', 'temporal.ts'));
