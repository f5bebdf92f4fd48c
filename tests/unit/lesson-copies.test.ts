/**
 * Each lesson folder stands alone (no lesson imports another's). Where one lesson builds on another,
 * it carries copies of the files it is given: lesson 07 runs lesson 06's activities and children, so
 * solution/07 and exercises/07 hold lesson 06's reference files, byte for byte. A fix to one of them is
 * made in both places; this test says where when it is not.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../services';

/** The given copies: (from, to, files). */
const COPIES = [
  {
    from: 'solution/06-order-fulfillment',
    to: ['solution/07-parallel-fulfillment', 'exercises/07-parallel-fulfillment'],
    files: [
      'activities.ts',
      'workflows/payment.ts',
      'workflows/inventory.ts',
      'workflows/shipping.ts',
      'workflows/notification.ts',
      'workflows/child.ts',
      'workflows/options.ts',
      'workflows/saga.ts',
      'workflows/queries.ts',
    ],
  },
];

const read = (file: string) => fs.readFileSync(path.join(REPO_ROOT, file), 'utf8');

describe("lessons stand alone: the files a lesson is given are copies of the other lesson's", () => {
  for (const { from, to, files } of COPIES) {
    for (const target of to) {
      it(`${target} carries ${from}'s ${files.length} given files unchanged`, () => {
        const differ = files.filter((file) => read(`${from}/${file}`) !== read(`${target}/${file}`));
        expect(differ, `copy these again from ${from}: ${differ.join(', ')}`).to.deep.equal([]);
      });
    }
  }
});
