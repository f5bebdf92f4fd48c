/**
 * For maintainers: writes exercises/starter.json, the starters `npm run reset` restores, from the
 * exercises/ folders as they are now. Run it after changing a starter; a unit test fails until you do.
 *
 *   npx ts-node scripts/maintainer/record-starters.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { LESSON_IDS, LESSONS } from '../../common/lessons';
import { REPO_ROOT } from '../../services';
import { snapshotOf, STARTERS_FILE } from '../../common/kit/reset/starters';

const snapshot = snapshotOf(
  REPO_ROOT,
  LESSON_IDS.map((lesson) => LESSONS[lesson].folder),
);
fs.writeFileSync(path.join(REPO_ROOT, STARTERS_FILE), `${JSON.stringify(snapshot, null, 2)}\n`);
const files = Object.values(snapshot).reduce((n, lesson) => n + Object.keys(lesson).length, 0);
console.log(`${STARTERS_FILE}: ${files} files of ${Object.keys(snapshot).length} lessons`);
