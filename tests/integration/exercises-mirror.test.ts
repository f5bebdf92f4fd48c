/**
 * Every lesson's exercises mirror its solution: the two trees are identical outside the TODO regions, so
 * `diff -r` shows exactly the learner's work, and the mirror check notices an edit outside a region (on a
 * copy of the exercises, `.variant-mirror-<lesson>/`). The rest of each lesson's exercise checks (the
 * starter, the proof swap, the Parts) live in ./exercises-<NN>.test.ts.
 */
import { expect } from 'chai';
import path from 'node:path';
import { LESSON_IDS, LESSONS, type LessonId } from '../../common/lessons';
import { mirrorProblems } from '../criteria/mirror';
import { edit, exercisesCopy, removeVariants } from '../criteria/variants';
import { lessonTrees } from '../support/exercises';

/** Per lesson, one edit outside its TODO regions that the mirror check must name (none for lesson 08). */
const EDITS: Partial<Record<LessonId, { file: string; from: string; to: string }>> = {
  '02': {
    file: 'workflows/options.ts',
    from: "startToCloseTimeout: '10 seconds'",
    to: "startToCloseTimeout: '11 seconds'",
  },
  '03': { file: 'workflows/saga.ts', from: 'Runs every registered undo, newest first', to: 'Runs every undo' },
  '06': {
    file: 'workflows/options.ts',
    from: "startToCloseTimeout: '10 seconds'",
    to: "startToCloseTimeout: '11 seconds'",
  },
  '07': { file: 'workflows/fan-out.ts', from: 'Runs `branches` at the same time', to: 'Runs `branches` one by one' },
};

after(() => removeVariants('mirror-'));

for (const lesson of LESSON_IDS) {
  describe(`lesson ${lesson} exercises`, () => {
    const { solution, exercises } = lessonTrees(lesson);

    it('exercises and solution are identical outside the TODO regions', () => {
      expect(mirrorProblems(solution, exercises)).to.deep.equal([]);
    });

    const change = EDITS[lesson];
    if (!change) return;
    it('the mirror check notices a change outside a TODO region', () => {
      const dir = exercisesCopy(LESSONS[lesson].folder, `mirror-${lesson}`);
      edit(path.join(dir, change.file), change.from, change.to);
      expect(mirrorProblems(solution, dir).join('\n')).to.contain(change.file);
    });
  });
}
