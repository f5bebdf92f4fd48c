/**
 * Reading the docs the way the doc tests need them: the commands of every ```bash block, the ```text
 * block that shows what a command prints, and a comparison of that text with a real run's output that
 * ignores what changes from run to run (times, durations, run IDs, random IDs, tracking numbers, ports).
 *
 * Conventions the docs follow, so the tests can check them:
 *  - a ```bash block holds commands, one a line (`# …` comments allowed);
 *  - a ```text block right after it shows the output of that block's last command;
 *  - in a ```text block, a line `…` stands for lines left out, and `…` inside a line for any text.
 */
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export interface Block {
  lang: string;
  lines: string[];
  /** 1-based line of the opening fence. */
  line: number;
  /** The nearest headings above it, outermost first (e.g. ['Lesson 06: …', 'Part C: Compensations']). */
  headings: string[];
}

export interface DocCommand {
  doc: string;
  /** 1-based line in the doc. */
  line: number;
  /** The command as printed, without its comment. */
  command: string;
  headings: string[];
  /** The ```text block that follows its bash block, when this is the block's last command. */
  expected?: string[];
}

/** The docs the tests read: README.md and docs/*.md. */
export function docFiles(): string[] {
  const docs = fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => path.join('docs', f));
  return ['README.md', ...docs];
}

/** Every fenced block of a markdown file (indented fences inside list items too). */
export function blocksOf(doc: string): Block[] {
  const lines = fs.readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  const headings: string[] = [];
  let open: { lang: string; indent: number; line: number; lines: string[] } | undefined;
  lines.forEach((text, i) => {
    const fence = /^(\s*)```(\S*)\s*$/.exec(text);
    if (open) {
      if (fence && fence[1].length <= open.indent + 3 && fence[2] === '') {
        blocks.push({ lang: open.lang, lines: open.lines, line: open.line, headings: [...headings] });
        open = undefined;
      } else {
        open.lines.push(text.slice(Math.min(open.indent, text.length - text.trimStart().length)));
      }
      return;
    }
    if (fence) {
      open = { lang: fence[2], indent: fence[1].length, line: i + 1, lines: [] };
      return;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(text);
    if (heading) {
      headings.length = heading[1].length - 1;
      headings[heading[1].length - 1] = heading[2].trim();
    }
  });
  return blocks;
}

/** A bash line without its trailing `# comment` (outside quotes). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i).trimEnd();
    }
  }
  return line.trimEnd();
}

/** The commands of every ```bash block of `doc`, each with the output the doc shows for it. */
export function commandsOf(doc: string): DocCommand[] {
  const blocks = blocksOf(doc);
  const commands: DocCommand[] = [];
  blocks.forEach((block, b) => {
    if (block.lang !== 'bash') return;
    const next = blocks[b + 1];
    const following =
      next?.lang === 'text' && isRightAfter(doc, block, next) ? next.lines.filter((l) => l.trim() !== '') : undefined;
    const inBlock: DocCommand[] = [];
    let pending: { line: number; text: string } | undefined;
    block.lines.forEach((raw, i) => {
      const text = withoutComment(raw.trim());
      // A line ending in `\` continues on the next one.
      const continued = text.endsWith('\\');
      const part = continued ? text.slice(0, -1).trimEnd() : text;
      pending = pending
        ? { line: pending.line, text: `${pending.text} ${part}` }
        : { line: block.line + 1 + i, text: part };
      if (continued) return;
      if (pending.text) inBlock.push({ doc, line: pending.line, command: pending.text, headings: block.headings });
      pending = undefined;
    });
    if (following && inBlock.length) inBlock[inBlock.length - 1].expected = following;
    commands.push(...inBlock);
  });
  return commands;
}

/** True when only blank lines separate the two blocks. */
function isRightAfter(doc: string, first: Block, second: Block): boolean {
  const lines = fs.readFileSync(path.join(ROOT, doc), 'utf8').split('\n');
  const firstEnd = first.line + first.lines.length + 1; // the closing fence, 1-based
  return lines.slice(firstEnd, second.line - 1).every((l) => l.trim() === '');
}

/** What changes from run to run, replaced by a placeholder on both sides of a comparison. */
const VOLATILE: [RegExp, string, 'id'?][] = [
  // eslint-disable-next-line no-control-regex -- colour codes start with ESC
  [/\x1b\[[0-9;]*m/g, ''],
  [/\b\d{4}-\d{2}-\d{2}[T ](UTC )?\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>'],
  [/\b\d+ (second|minute|hour|day)s? (ago|from now)\b|\bnow\b/g, '<when>'],
  [/\b\d+(\.\d+)? ?(ms|s|min|h)\b/g, '<duration>'],
  // Derived from an idempotency key (so the same for the same order ID in the same lesson), but different
  // for every scenario with a random order ID: kept as they are only when `exactIds` says so.
  [/\b1Z[0-9A-F]{10}\b/g, '<tracking>', 'id'],
  [/\b[a-z]{2,4}_[0-9a-f]{8,}\b/g, '<id>', 'id'],
  [/\b\d+@[\w.-]+/g, '<identity>'],
  [/\b(localhost|127\.0\.0\.1):\d+/g, '<host>'],
  [/-[0-9a-f]{8}\b/g, '-<hex>'],
  [/\b[0-9a-f]{12,}\b/g, '<hex>'],
  [/(?<![\d,$.v])\d+\.\d+(?![\d.])/g, '<n>'], // a measured number, not money ($1,059.97) or a version (v20.1.2)
  [/\(pid \d+\)/g, '(pid <n>)'],
];

export interface MatchOptions {
  /**
   * Compare tracking numbers and service IDs (`ch_…`, `rsv_…`) as they are: right for the lesson pages,
   * whose orders have fixed IDs, so each of these is the one the program derives from its order's key.
   */
  exactIds?: boolean;
}

/** One line, or a whole output, with the volatile parts replaced and runs of spaces collapsed. */
export function normalise(text: string, options: MatchOptions = {}): string {
  let out = text;
  for (const [pattern, placeholder, kind] of VOLATILE)
    if (!(kind === 'id' && options.exactIds)) out = out.replace(pattern, placeholder);
  return out.replace(/[ \t]+/g, ' ');
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[\p{L}\p{N}_]/u.test(c);
}

/**
 * Checks that every expected line appears in `output`, in order. Lines are compared after
 * `normalise`, as text: a line the program wraps still matches. `…` alone skips lines; `…` inside a
 * line stands for any text. Returns what is missing, or undefined when everything is there.
 */
export function missingFrom(expected: string[], output: string, options: MatchOptions = {}): string | undefined {
  const stream = ` ${normalise(output, options)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ')} `;
  let at = 0;
  for (const line of expected) {
    const pieces = normalise(line.trim(), options)
      .split('…')
      .map((p) => p.trim())
      .filter(Boolean);
    if (pieces.length === 0) continue;
    for (const [i, piece] of pieces.entries()) {
      // The first piece starts at a word boundary and the last one ends at one, so "charges: 1" does
      // not match "charges: 11".
      const open = i > 0;
      const openEnd = i < pieces.length - 1 || line.trim().endsWith('…');
      const startOk = (f: number) => open || !isWordChar(piece[0]) || !isWordChar(stream[f - 1]);
      const endOk = (f: number) =>
        openEnd || !isWordChar(piece[piece.length - 1]) || !isWordChar(stream[f + piece.length]);
      let found = stream.indexOf(piece, at);
      while (found >= 0 && !(startOk(found) && endOk(found))) found = stream.indexOf(piece, found + 1);
      if (found < 0) {
        const seenFrom = stream.slice(Math.max(0, at - 1), at + 300).trim();
        return `expected, in order: "${line.trim()}"\n  (normalised piece not found: "${piece}")\n  output from there on: ${seenFrom}…`;
      }
      at = found + piece.length;
    }
  }
  return undefined;
}
