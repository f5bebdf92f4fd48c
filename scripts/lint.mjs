// `npm run lint`: the type check, ESLint and Prettier, side by side (each in its own process), with
// one line per check and the problems of any that failed. Caches live in node_modules/.cache, so a
// second run only looks at what changed.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { exitUnlessSupportedNode } from './lib/node-check.mjs';

// The same check as every other command (common/node-version.ts), first.
exitUnlessSupportedNode();

const bin = (name) => path.join('node_modules', '.bin', name);
// ESLint's cache is only valid for the Node version that wrote it (ESLint hashes process.version into
// its key): one per major version, so switching between Node 22, 24 and 26 does not throw the others'
// away. Prettier's key is its own version and options, the same on every Node: one cache for all.
const nodeMajor = process.versions.node.split('.')[0];
const eslintCache = `node_modules/.cache/eslint/node-${nodeMajor}/`;
const prettierCache = 'node_modules/.cache/prettier/cache.json';
const CHECKS = [
  ['types (tsc)', bin('tsc'), ['--noEmit', '--incremental', '--tsBuildInfoFile', 'node_modules/.cache/tsbuildinfo']],
  ['lint (eslint)', bin('eslint'), ['.', '--cache', '--cache-strategy', 'content', '--cache-location', eslintCache]],
  [
    'format (prettier)',
    bin('prettier'),
    [
      '--check',
      '--log-level',
      'warn',
      '--cache',
      '--cache-strategy',
      'content',
      '--cache-location',
      prettierCache,
      '.',
    ],
  ],
];

const started = Date.now();
const results = await Promise.all(
  CHECKS.map(
    ([label, command, args]) =>
      new Promise((resolve) => {
        const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        child.on('error', (err) => resolve({ label, code: 1, output: err.message }));
        child.on('close', (code) => resolve({ label, code, output }));
      }),
  ),
);
for (const { label, code, output } of results) {
  console.log(`${code === 0 ? '✓' : '✗'} ${label}`);
  if (code !== 0) console.log(output.trimEnd().replace(/^/gm, '    '));
}
const failed = results.filter((r) => r.code !== 0);
console.log(
  failed.length
    ? `lint: ${failed.length} of ${results.length} checks failed (${((Date.now() - started) / 1000).toFixed(1)} s)`
    : `lint: all ${results.length} checks pass (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);
if (failed.some((r) => r.label.startsWith('format'))) console.log('Fix the formatting with: npx prettier --write .');
process.exitCode = failed.length ? 1 : 0;
