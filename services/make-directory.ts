import fs from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p`, one level at a time. (Node's own recursive mkdir loops for ever, at full CPU, under a
 * directory that refuses new entries such as /proc; this one fails at once with the real error.)
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; !fs.existsSync(at); at = path.dirname(at)) {
    missing.unshift(at);
    if (path.dirname(at) === at) break;
  }
  for (const at of missing) {
    try {
      fs.mkdirSync(at);
    } catch (err) {
      // Another process (a second worker) may have created it a moment ago.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
