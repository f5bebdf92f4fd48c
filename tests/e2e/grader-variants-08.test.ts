/**
 * Lesson 08's broken variants: the solution with its patched() guards replaced by `true` fails on the
 * order in flight by name, and a replay test that never reports a failure fails Part A. They run in the
 * end-to-end phase, once in CI: they do not depend on the Node version, and they would not fit in `npm
 * test`'s budget. The starter and the proof swap stay in ../integration/exercises-08.test.ts.
 *
 * Both gradings start at once, in the second wave (../support/eager.ts).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { criterion, edit } from '../criteria/variants';
import { buildFile, unpatched } from '../criteria/versioning-08';
import { brokenCopiesOf, failedCriterion, secondWaveGradings } from '../support/gradings';

const broken = brokenCopiesOf('08');
after(() => broken.remove());

const { grading, startAll } = secondWaveGradings({
  // The change deployed without its patch: what the grader's own Part A check replays against.
  unpatched: () =>
    broken.grade(
      'unpatched',
      (d) => {
        const file = buildFile(d, 'v2');
        fs.writeFileSync(file, unpatched(fs.readFileSync(file, 'utf8')));
      },
      { part: 'B' },
    ),
  // A replay test that cannot fail: every history "replays".
  blindReplay: () =>
    broken.grade(
      'blind-replay',
      (d) =>
        edit(
          path.join(d, 'replay.ts'),
          'verdicts.push(verdictOf(result));',
          'verdicts.push({ workflowId: result.workflowId, ok: true, nondeterminism: false });',
        ),
      { part: 'A' },
    ),
});

describe('lesson 08 exercises', function () {
  this.timeout(120_000);

  before(() => startAll());

  it('the solution with its patched() guards replaced by true fails Part B, naming the non-determinism error', async () => {
    const report = await grading.unpatched();
    const old = failedCriterion(report, '08-old-orders-finish');
    expect(old.explanation).to.match(/^Nondeterminism in order-08-ORDER-held-/);
    expect(old.detail).to.match(/Put the change behind patched\('fraud-check'\)/);
    expect(criterion(report, '08-new-orders-fraud-check').pass).to.equal(false);
  });

  it('a replay test that reports every history as replaying fails Part A', async () => {
    const report = await grading.blindReplay();
    const test = failedCriterion(report, '08-replay-test');
    expect(test.detail).to.match(
      /replayHistories says order-08-ORDER-v1-\w+ replays against v2 with its patched\(\) guards replaced by true; it fails there with a non-determinism error/,
    );
  });
});
