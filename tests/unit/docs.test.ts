/**
 * The docs match the code: every relative link in the README and docs/ resolves (files and heading
 * anchors), and every Part a lesson's exercises name has its section in the lesson doc, and back.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { LESSON_IDS, LESSONS, partAnchor } from '../../common/lessons';
import { partsNamedInCode } from '../criteria/mirror';

const ROOT = path.resolve(__dirname, '../..');

function markdownFiles(): string[] {
  const docs = fs.existsSync(path.join(ROOT, 'docs'))
    ? fs
        .readdirSync(path.join(ROOT, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => path.join('docs', f))
    : [];
  return ['README.md', ...docs];
}

/** GitHub-style heading slugs of a markdown file. */
function anchors(file: string): Set<string> {
  const slugs = new Set<string>();
  let inFence = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (/^```/.test(line)) inFence = !inFence;
    const m = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    let slug = m[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    let n = 1;
    const base = slug;
    while (slugs.has(slug)) slug = `${base}-${n++}`;
    slugs.add(slug);
  }
  return slugs;
}

describe('docs', () => {
  for (const file of markdownFiles()) {
    it(`every relative link in ${file} resolves`, () => {
      const text = fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      const broken: string[] = [];
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1];
        if (/^(https?:|mailto:)/.test(link)) continue;
        const [target, anchor] = link.split('#');
        const resolved = target ? path.resolve(path.dirname(path.join(ROOT, file)), target) : path.join(ROOT, file);
        if (!fs.existsSync(resolved)) {
          broken.push(`${link} (no such file)`);
          continue;
        }
        if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(anchor))
          broken.push(`${link} (no such heading)`);
      }
      expect(broken).to.deep.equal([]);
    });
  }

  for (const lesson of LESSON_IDS) {
    const spec = LESSONS[lesson];
    it(`lesson ${lesson}: the manifest's Parts are the code's TODO Parts and ${spec.doc}'s sections, in both directions`, () => {
      const doc = fs.readFileSync(path.join(ROOT, spec.doc), 'utf8');
      const inDoc = [...doc.matchAll(/^## Part ([A-Z]): (.*)$/gm)].map((m) => `${m[1]}: ${m[2].trim()}`);
      const inManifest = Object.entries(spec.parts).map(([part, p]) => `${part}: ${p.title}`);
      expect(inDoc, `sections of ${spec.doc}`).to.deep.equal(inManifest);
      const inCode = partsNamedInCode(path.join(ROOT, 'exercises', spec.folder));
      expect([...inCode].sort()).to.deep.equal(Object.keys(spec.parts).sort());
      for (const [part, p] of Object.entries(spec.parts))
        expect(anchors(path.join(ROOT, spec.doc))).to.include(partAnchor(part, p.title));
    });

    it(`lesson ${lesson}: every criterion belongs to a Part, and every Part has a criterion`, () => {
      const parts = new Set(spec.criteria.map((c) => c.part));
      for (const c of spec.criteria) expect(spec.parts, c.id).to.have.property(c.part);
      expect([...parts].sort()).to.deep.equal(Object.keys(spec.parts).sort());
    });

    it(`lesson ${lesson}: its folders and original exist, and its task queue is the one its code uses`, () => {
      for (const target of ['original', 'solution', 'exercises']) {
        expect(fs.existsSync(path.join(ROOT, target, spec.folder)), `${target}/${spec.folder}`).to.equal(true);
      }
      expect(fs.existsSync(path.join(ROOT, spec.original)), spec.original).to.equal(true);
      for (const target of ['solution', 'exercises']) {
        const shared = fs.readFileSync(path.join(ROOT, target, spec.folder, 'shared.ts'), 'utf8');
        expect(shared, `${target}/${spec.folder}/shared.ts`).to.contain(
          `export const TASK_QUEUE = '${spec.taskQueue}';`,
        );
      }
    });
  }
});
