/**
 * Checks that keep lesson 08's exercises honest: the untouched starter fails every criterion (its v2 is
 * the change as first written, so the order in flight stops with a non-determinism error and the grader
 * says so), the solution dropped into the exercise layout passes every one, the solution with its
 * patched() guards replaced by `true` fails on the order in flight by name, a replay test that never
 * reports a failure fails Part A, and the trees mirror each other outside the TODO regions.
 *
 * Every grading starts at once, in the second wave (../support/eager.ts); copies that differ only in
 * replay.ts share one deploy run (tests/criteria/versioning-08.ts).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { LESSONS } from '../../common/lessons';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson } from '../criteria/grade';
import { mirrorProblems, partsNamedInCode } from '../criteria/mirror';
import { REPO_ROOT } from '../../services';
import { criterion, edit, exercisesCopy, removeVariants, variant as variantOf } from '../criteria/variants';
import { buildFile, unpatched } from '../criteria/versioning-08';
import { afterEager } from '../support/eager';

const LESSON = LESSONS['08'].folder;
const SOLUTION = path.join(REPO_ROOT, 'solution', LESSON);
const EXERCISES = path.join(REPO_ROOT, 'exercises', LESSON);
const DOC = path.join(REPO_ROOT, LESSONS['08'].doc);

after(() => removeVariants('08-'));

const variant = (name: string, mutate: (dir: string) => void) => variantOf(LESSON, `08-${name}`, mutate);

/** Started once, awaited by the test that reads it. */
function started<T>(run: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= run();
    return pending;
  };
}

const grading = {
  starter: started(() => gradeLesson('08', EXERCISES)),
  proof: started(() => gradeLesson('08', exercisesCopy(LESSON, '08-proof', true))),
  // The change deployed without its patch: what the grader's own Part A check replays against.
  unpatched: started(() =>
    gradeLesson(
      '08',
      variant('unpatched', (d) => {
        const file = buildFile(d, 'v2');
        fs.writeFileSync(file, unpatched(fs.readFileSync(file, 'utf8')));
      }),
      'B',
    ),
  ),
  // A replay test that cannot fail: every history "replays". Same workflows as the proof: one deploy.
  blindReplay: started(() =>
    gradeLesson(
      '08',
      variant('blind-replay', (d) =>
        edit(
          path.join(d, 'replay.ts'),
          'verdicts.push(verdictOf(result));',
          'verdicts.push({ workflowId: result.workflowId, ok: true, nondeterminism: false });',
        ),
      ),
      'A',
    ),
  ),
};

const startAll = afterEager(async () => {
  for (const run of Object.values(grading)) run().catch(() => undefined);
});

describe('lesson 08 exercises', function () {
  this.timeout(120_000);

  before(() => startAll());

  it('the untouched starter fails every criterion: TODOs in Parts A and C, a non-determinism error in Part B', async () => {
    const report = await grading.starter();
    expect(report.total).to.equal(criteriaFor('08').length);
    expect(report.criteria.filter((c) => c.pass).map((c) => c.id)).to.deep.equal([]);
    expect(criterion(report, '08-replay-test').explanation).to.match(/^Still a TODO: TODO Part A:/);
    expect(criterion(report, '08-patch-retired').explanation).to.match(/^Still a TODO: TODO Part C: build v3/);
    const old = criterion(report, '08-old-orders-finish');
    expect(old.detail).to.match(
      /started on v1 and in flight \(shipping\) during the deploy, stopped with a non-determinism error/,
    );
    expect(old.explanation).to.match(
      /^Nondeterminism in order-08-ORDER-held-\w+: .*Activity type of scheduled event 'chargePayment' does not match activity type of activity command 'checkFraud'/,
    );
    expect(criterion(report, '08-new-orders-fraud-check').detail).to.match(/records no 'fraud-check' patch marker/);
  });

  it('proof swap: the solution copied over the exercises passes every criterion', async () => {
    const report = await grading.proof();
    expect(report.criteria.filter((c) => !c.pass).map((c) => `${c.id}: ${c.detail}`)).to.deep.equal([]);
    expect(report.total).to.equal(criteriaFor('08').length);
    expect(report.findings).to.deep.equal([]);
  });

  it('the solution with its patched() guards replaced by true fails Part B, naming the non-determinism error', async () => {
    const report = await grading.unpatched();
    const old = criterion(report, '08-old-orders-finish');
    expect(old.pass).to.equal(false);
    expect(old.explanation).to.match(/^Nondeterminism in order-08-ORDER-held-/);
    expect(old.detail).to.match(/Put the change behind patched\('fraud-check'\)/);
    expect(criterion(report, '08-new-orders-fraud-check').pass).to.equal(false);
  });

  it('a replay test that reports every history as replaying fails Part A', async () => {
    const report = await grading.blindReplay();
    const test = criterion(report, '08-replay-test');
    expect(test.pass).to.equal(false);
    expect(test.detail).to.match(
      /replayHistories says order-08-ORDER-v1-\w+ replays against v2 with its patched\(\) guards replaced by true; it fails there with a non-determinism error/,
    );
  });

  it('exercises and solution are identical outside the TODO regions', () => {
    expect(mirrorProblems(SOLUTION, EXERCISES)).to.deep.equal([]);
  });

  it('every Part A–C has TODO markers and a section in the lesson doc, and back', () => {
    const inCode = [...partsNamedInCode(EXERCISES)].sort();
    expect(inCode).to.deep.equal(['A', 'B', 'C']);
    expect(Object.keys(LESSONS['08'].parts).sort()).to.deep.equal(inCode);
    const doc = fs.readFileSync(DOC, 'utf8');
    const inDoc = [...new Set([...doc.matchAll(/^## Part ([A-Z]):/gm)].map((m) => m[1]))].sort();
    expect(inDoc).to.deep.equal(inCode);
  });
});
