// The Node.js version check for the kit's plain-JavaScript entry points (npm test, npm run lint), which
// start before ts-node can load common/node-version.ts: the same rule and the same one line.
export function exitUnlessSupportedNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    console.error(
      `error: this kit needs Node.js 22.12 or later (22, 24 or 26); this is Node.js ${process.version}. ` +
        'Install a newer one (https://nodejs.org, or `nvm use` with the kit’s .nvmrc) and run the command again.',
    );
    process.exit(2);
  }
}
