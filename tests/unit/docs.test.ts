/**
 * The docs match the code: every relative link in the README and docs/ resolves (files and heading
 * anchors), and every Part a lesson's exercises name has its section in the lesson doc, and back.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import metadata from '../criteria/criteria.json';
import { partsNamedInCode } from '../criteria/mirror';

const ROOT = path.resolve(__dirname, '../..');

function markdownFiles(): string[] {
  const docs = fs.existsSync(path.join(ROOT, 'docs'))
    ? fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f))
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
    let slug = m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
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
        if (anchor && resolved.endsWith('.md') && !anchors(resolved).has(anchor)) broken.push(`${link} (no such heading)`);
      }
      expect(broken).to.deep.equal([]);
    });
  }

  const lessons = metadata.lessons as Record<string, { doc: string }>;
  for (const [lesson, info] of Object.entries(lessons)) {
    const dir = fs.readdirSync(path.join(ROOT, 'exercises')).find((d) => d.startsWith(`${lesson}-`));
    it(`lesson ${lesson}: every Part in the code has a section in ${info.doc}, and back`, () => {
      expect(dir, `exercises/${lesson}-*`).to.be.a('string');
      const doc = fs.readFileSync(path.join(ROOT, info.doc), 'utf8');
      const inDoc = new Set([...doc.matchAll(/^## Part ([A-Z]):/gm)].map((m) => m[1]));
      const inCode = partsNamedInCode(path.join(ROOT, 'exercises', dir!));
      expect([...inDoc].sort()).to.deep.equal([...inCode].sort());
    });
  }
});
