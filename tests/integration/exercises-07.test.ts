/**
 * Checks that keep lesson 07's exercises honest: the untouched starter fails every criterion, and the
 * solution dropped into the exercise layout passes every one. That the two trees mirror each other
 * outside the TODO regions is checked for every lesson in ./exercises-mirror.test.ts. The classic ways to
 * get parallel children wrong, each making the grader name the criterion it breaks, run in the
 * end-to-end phase: ../e2e/grader-variants-07.test.ts.
 * Both gradings start at once, in the second wave (../support/eager.ts).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { LESSONS } from '../../common/lessons';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson, type GradeReport } from '../criteria/grade';
import { partsNamedInCode, segmentsOutsideTodos } from '../criteria/mirror';
import { lessonTarget } from '../criteria/observation';
import { scoreTarget, type Score } from '../criteria/scorecard';
import { exercisesCopy, removeVariants } from '../criteria/variants';
import { afterEager } from '../support/eager';
import { lessonTrees } from '../support/exercises';
import { expectEveryCriterionPassed } from '../support/gradings';

const LESSON = LESSONS['07'].folder;
const { exercises: EXERCISES } = lessonTrees('07');
const PARENT = path.join('workflows', 'parallel-fulfillment.ts');
const FAN_OUT = path.join('workflows', 'fan-out.ts');

after(() => removeVariants('07-'));

describe('lesson 07 exercises', function () {
  this.timeout(180_000);

  // Every grading starts in the second wave (../support/eager.ts), side by side with the other graders.
  const grading = afterEager(async () => {
    const proofDir = exercisesCopy(LESSON, '07-proof', true);
    return Promise.all([
      scoreTarget(lessonTarget('exercises', '07'), criteriaFor('07')),
      gradeLesson('07', proofDir),
    ] as const);
  });
  let starter: Score[];
  let proof: GradeReport;
  before(async () => {
    [starter, proof] = await grading();
  });

  it("the untouched starter fails every graded criterion, at the TODO or at the scenario's fault before it", () => {
    expect(starter).to.have.length(criteriaFor('07').length);
    expect(starter.filter((s) => s.pass).map((s) => s.criterion.id)).to.deep.equal([]);
    for (const s of starter) {
      const outcome = s.observation?.outcome;
      expect(outcome?.kind, s.criterion.id).to.equal('failed');
      // The starter runs lesson 06's sequential payment and inventory, then stops at Part B's TODO, unless
      // the scenario's own fault stops it first.
      const root = {
        '07-declined-while-reserving': /^card declined/,
        '07-inventory-fails': /^inventory service unavailable/,
      }[s.criterion.scenario.id];
      expect((outcome as { root?: string }).root, s.criterion.id).to.match(root ?? /^TODO Part B:/);
    }
  });

  it('proof swap: the solution copied over the exercises passes every criterion, with no findings', () => {
    expectEveryCriterionPassed(proof, '07');
  });

  it('every Part A–D has TODO markers, and regions are closed', () => {
    expect([...partsNamedInCode(EXERCISES)].sort()).to.deep.equal(['A', 'B', 'C', 'D']);
    for (const file of [PARENT, FAN_OUT]) {
      const lines = fs.readFileSync(path.join(EXERCISES, file), 'utf8').split('\n');
      expect(() => segmentsOutsideTodos(lines), file).to.not.throw();
    }
  });
});
