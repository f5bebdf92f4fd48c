/**
 * `npm run reset` on copies of the lessons (under .variant-reset-*): the whole lesson goes back to the
 * starter byte for byte, one Part's regions go back while every other Part's work stays, a backup
 * holds the learner's files, and there is a clear refusal when there is nothing to restore or the
 * region cannot be found.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { LESSON_IDS, LESSONS } from '../../common/lessons';
import { REPO_ROOT } from '../../services';
import { applyReset, planReset } from '../../common/kit/reset/reset-plan';
import { blocksOf, ResetError } from '../../common/kit/reset/restore';
import { snapshotOf, starterOf, STARTERS_FILE, type Starter } from '../../common/kit/reset/starters';

const roots: string[] = [];
after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

/** A lesson folder at the same depth as exercises/<folder>, holding the starter, optionally the solution on top. */
function copy(name: string, folder: string, starter: Starter, solutionOnTop: boolean): { root: string; dir: string } {
  const root = path.join(REPO_ROOT, `.variant-reset-${name}`);
  fs.rmSync(root, { recursive: true, force: true });
  roots.push(root);
  const dir = path.join(root, folder);
  for (const [rel, text] of starter) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  if (solutionOnTop) fs.cpSync(path.join(REPO_ROOT, 'solution', folder), dir, { recursive: true });
  return { root, dir };
}

const read = (dir: string, rel: string) => fs.readFileSync(path.join(dir, rel), 'utf8');
const withoutImports = (text: string) => text.replace(/^import\s[\s\S]*?from\s+['"][^'"]+['"];?\n/gm, '');

/** The text of Part `part`'s top-level regions in `text`, as the starter lays them out. */
function regions(text: string, part: string): string[] {
  return blocksOf(text)
    .filter((b) => b.part === part)
    .map((b) => b.lines.join('\n'));
}

const committed = LESSON_IDS.map((lesson) => ({ lesson, starter: starterOf(REPO_ROOT, LESSONS[lesson].folder) }));

describe('the starters npm run reset restores', () => {
  it(`${STARTERS_FILE} holds exactly the files of exercises/ (after changing a starter: npx ts-node scripts/maintainer/record-starters.ts)`, () => {
    const folders = LESSON_IDS.map((lesson) => LESSONS[lesson].folder);
    expect(JSON.parse(fs.readFileSync(path.join(REPO_ROOT, STARTERS_FILE), 'utf8'))).to.deep.equal(
      snapshotOf(REPO_ROOT, folders),
    );
  });
});

for (const { lesson, starter } of committed) {
  const { folder, parts } = LESSONS[lesson];

  describe(`npm run reset, lesson ${lesson}`, () => {
    it('restores every file of a finished exercise to the starter, byte for byte, after a backup', () => {
      const { root, dir } = copy(`${lesson}-whole`, folder, starter, true);
      fs.writeFileSync(path.join(dir, 'workflows', 'mine.ts'), '// a file the learner added\n');
      const plan = planReset(dir, starter);
      expect(plan.notes).to.deep.equal(['kept workflows/mine.ts: not in the starter (a copy is in the backup too)']);
      expect([...plan.writes.keys()].length).to.be.greaterThan(0);
      const saved = applyReset(dir, root, plan, new Date('2026-01-02T03:04:05Z'));
      expect(path.relative(root, saved)).to.equal(path.join('.grade', 'backup', '2026-01-02T03-04-05Z', folder));
      for (const [rel, text] of starter) expect(read(dir, rel), rel).to.equal(text);
      for (const rel of plan.writes.keys())
        expect(read(saved, rel), rel).to.equal(read(path.join(REPO_ROOT, 'solution', folder), rel));
      expect(() => planReset(dir, starter)).to.throw(ResetError, /nothing to restore/);
    });

    // Parts whose region touches another Part's in some file (only blank lines between them).
    const touching = new Set<string>();
    for (const text of starter.values()) {
      const blocks = blocksOf(text);
      blocks.forEach((block, i) => {
        const gap = blocks[i + 1];
        const next = blocks[i + 2];
        if (block.part && gap && !gap.part && gap.lines.every((l) => !l.trim()) && next?.part) {
          touching.add(block.part).add(next.part);
        }
      });
    }

    for (const part of Object.keys(parts)) {
      it(`restores only Part ${part}'s regions and keeps every other Part's work`, () => {
        const { root, dir } = copy(`${lesson}-${part}`, folder, starter, true);
        if (touching.has(part)) {
          // Without the TODO lines, code for two regions that touch cannot be told apart: a clear refusal.
          expect(() => planReset(dir, starter, part)).to.throw(ResetError, /region touches Part [A-Z]'s/);
          return;
        }
        applyReset(dir, root, planReset(dir, starter, part));
        for (const [rel, text] of starter) {
          if (!rel.endsWith('.ts')) continue;
          const now = read(dir, rel);
          // Part's regions are the starter's again…
          for (const region of regions(text, part)) expect(now, `${rel} Part ${part}`).to.contain(region);
          // …and the other Parts' regions are still the learner's (the solution's) code.
          for (const other of Object.keys(parts).filter((p) => p !== part)) {
            for (const region of regions(text, other)) expect(now, `${rel} Part ${other}`).to.not.contain(region);
          }
        }
      });

      it(`restores Part ${part}'s regions by their TODO and END lines when the learner kept them`, () => {
        const { root, dir } = copy(`${lesson}-${part}-marked`, folder, starter, false);
        for (const rel of starter.keys()) {
          if (!rel.endsWith('.ts')) continue;
          const text = read(dir, rel).replace(/^(\s*)(\/\/ END TODO Part [A-Z])/gm, '$1mine();\n$1$2');
          fs.writeFileSync(path.join(dir, rel), text);
        }
        applyReset(dir, root, planReset(dir, starter, part));
        for (const [rel, text] of starter) {
          if (!rel.endsWith('.ts')) continue;
          const now = read(dir, rel);
          for (const region of regions(text, part)) expect(now, `${rel} Part ${part}`).to.contain(region);
          const others = Object.keys(parts).filter((p) => p !== part);
          const left = others.reduce((n, p) => n + regions(text, p).length, 0);
          expect(now.match(/mine\(\);/g)?.length ?? 0, `${rel}: the other Parts' work`).to.equal(left);
        }
      });
    }

    it('restoring every Part in turn gives back the starter', () => {
      const { root, dir } = copy(`${lesson}-all`, folder, starter, !touching.size);
      if (touching.size) {
        for (const rel of starter.keys()) {
          if (!rel.endsWith('.ts')) continue;
          fs.writeFileSync(
            path.join(dir, rel),
            read(dir, rel).replace(/^(\s*)(\/\/ END TODO Part [A-Z])/gm, '$1mine();\n$1$2'),
          );
        }
      }
      for (const part of Object.keys(parts)) applyReset(dir, root, planReset(dir, starter, part));
      // Imports may be in another order (a restored region's import is added to the learner's list).
      for (const [rel, text] of starter) expect(withoutImports(read(dir, rel)), rel).to.equal(withoutImports(text));
    });

    it('refuses when there is nothing to restore', () => {
      const { dir } = copy(`${lesson}-untouched`, folder, starter, false);
      for (const part of Object.keys(parts)) {
        expect(() => planReset(dir, starter, part)).to.throw(ResetError, /nothing to restore: Part/);
      }
      expect(() => planReset(dir, starter)).to.throw(ResetError, /nothing to restore/);
    });
  });
}

describe('npm run reset, finding a region', () => {
  const folder = LESSONS['06'].folder;
  const starter = starterOf(REPO_ROOT, folder);
  const file = 'workflows/order-fulfillment.ts';

  it('puts back an import a restored region needs', () => {
    const { root, dir } = copy('06-imports', folder, starter, true);
    expect(read(dir, file)).to.not.match(/import \{[^}]*ApplicationFailure[^}]*\} from '@temporalio\/workflow'/);
    applyReset(dir, root, planReset(dir, starter, 'B'));
    expect(read(dir, file)).to.match(/import \{[^}]*ApplicationFailure[^}]*\} from '@temporalio\/workflow'/);
    expect(read(dir, file)).to.contain("throw ApplicationFailure.nonRetryable('TODO Part B");
  });

  it('says where Part C notes nested in Part B’s region went', () => {
    const { dir } = copy('06-nested', folder, starter, true);
    expect(planReset(dir, starter, 'C').notes.join('\n')).to.match(/Part C's notes inside Part B's region/);
  });

  it('works when the learner kept the TODO markers and wrote the code between them', () => {
    const { root, dir } = copy('06-markers', folder, starter, false);
    const text = read(dir, file).replace(
      '    // END TODO Part C\n',
      '    await saga.compensate(); // mine\n    // END TODO Part C\n',
    );
    fs.writeFileSync(path.join(dir, file), text);
    const plan = planReset(dir, starter, 'C');
    expect([...plan.writes.keys()]).to.deep.equal([file]);
    applyReset(dir, root, plan);
    expect(read(dir, file)).to.equal(starter.get(file));
  });

  it('refuses, changing nothing, when the code around a region is gone', () => {
    const { dir } = copy('06-gone', folder, starter, true);
    const text = read(dir, file).replace(/^ {2}\} catch \(err\) \{$/m, '  } catch (error) {');
    fs.writeFileSync(path.join(dir, file), text);
    expect(() => planReset(dir, starter, 'C')).to.throw(ResetError, /cannot find Part C's regions/);
    expect(read(dir, file)).to.equal(text);
  });
});
