/**
 * The Node.js this kit needs: 22.12 or later (node:sqlite, the ledger's database, and the Temporal SDK).
 * Every command checks it first, so an older Node.js gets one line naming both versions instead of a
 * stack trace from deep inside an import.
 */
import { KitError } from '../services/errors';

/** The oldest Node.js the kit runs on (package.json's `engines` says the same). */
export const MINIMUM_NODE = '22.12.0';

export class NodeVersionError extends KitError {
  constructor(found: string) {
    super(
      `this kit needs Node.js ${MINIMUM_NODE.replace(/\.0$/, '')} or later (22, 24 or 26); this is Node.js ${found}. ` +
        'Install a newer one (https://nodejs.org, or `nvm use` with the kit’s .nvmrc) and run the command again.',
    );
  }
}

/** True when `version` (e.g. `v22.12.0`) is at least MINIMUM_NODE. */
export function isSupportedNode(version: string): boolean {
  const [major, minor, patch] = version.replace(/^v/, '').split('.').map(Number);
  const [wantMajor, wantMinor, wantPatch] = MINIMUM_NODE.split('.').map(Number);
  if (major !== wantMajor) return major > wantMajor;
  if (minor !== wantMinor) return minor > wantMinor;
  return patch >= wantPatch;
}

/** Throws NodeVersionError on a Node.js older than MINIMUM_NODE. */
export function assertSupportedNode(version: string = process.version): void {
  if (!isSupportedNode(version)) throw new NodeVersionError(version);
}
