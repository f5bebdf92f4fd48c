#!/usr/bin/env node
// `npx temporal <args>`: the Temporal CLI this kit provisions (scripts/temporal.ts), with nothing printed but
// the CLI's own output, so `npx temporal workflow show -w … --output json | jq` works. `npm run temporal --
// <args>` runs the same command behind npm's two-line banner. `npm install` links this file into
// node_modules/.bin (the kit depends on this folder), which is why npx finds it without a download.
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
require(path.join(root, 'node_modules', 'ts-node')).register({ project: path.join(root, 'tsconfig.json') });
require(path.join(root, 'scripts', 'temporal.ts'));
