/**
 * Checks that keep lesson 03's exercises honest: the untouched starter compiles, runs and fails every
 * criterion (at Part A's TODO); the solution copied over the exercises passes every one with no finding;
 * every Part A–E has its markers. That the two trees mirror each other outside the TODO regions is
 * checked for every lesson in ./exercises-mirror.test.ts. The broken copies that prove each criterion
 * can fail run in the end-to-end phase: ../e2e/grader-variants-03.test.ts.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { LESSONS } from '../../common/lessons';
import { criteriaFor } from '../criteria/checks';
import { gradeLesson, type GradeReport } from '../criteria/grade';
import { partsNamedInCode, segmentsOutsideTodos } from '../criteria/mirror';
import { listTs } from '../criteria/source';
import { exercisesCopy, removeVariants } from '../criteria/variants';
import { afterEager } from '../support/eager';
import { lessonTrees } from '../support/exercises';
import { expectEveryCriterionPassed } from '../support/gradings';

const LESSON = LESSONS['03'].folder;
const { exercises: EXERCISES } = lessonTrees('03');

after(() => removeVariants('03-ex-'));

// Both start in the second wave (../support/eager.ts). The proof swap is byte-identical to solution/,
// so the grader's content cache shares its scenarios with ./criteria-03.test.ts.
const grading = afterEager(() =>
  Promise.all([gradeLesson('03', EXERCISES), gradeLesson('03', exercisesCopy(LESSON, '03-ex-proof', true))] as const),
);

describe('lesson 03 exercises', function () {
  this.timeout(120_000);

  let starter: GradeReport;
  let proof: GradeReport;
  before(async () => {
    [starter, proof] = await grading();
  });

  it('the untouched starter compiles, runs, and fails every criterion at Part A', () => {
    expect(starter.findings.filter((f) => f.kind === 'compile')).to.deep.equal([]);
    expect(starter.total).to.equal(criteriaFor('03').length);
    expect(starter.criteria.filter((c) => c.pass).map((c) => c.id)).to.deep.equal([]);
    for (const c of starter.criteria) {
      expect(c.explanation, c.id).to.match(/TODO Part A: \w+ is not written yet/);
    }
    // The one pitfall the starter shows on purpose: its join is Promise.all (Part D's placeholder).
    expect(starter.findings.map((f) => `${f.kind} ${f.part}`)).to.deep.equal(['unguarded-join D']);
  });

  it('proof swap: the solution copied over the exercises passes every criterion, with no findings', () => {
    expectEveryCriterionPassed(proof, '03');
  });

  it('every Part A–E has TODO markers, and every region is closed', () => {
    expect([...partsNamedInCode(EXERCISES)].sort()).to.deep.equal(['A', 'B', 'C', 'D', 'E']);
    for (const file of listTs(EXERCISES)) {
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      expect(() => segmentsOutsideTodos(lines), file).to.not.throw();
    }
  });
});
