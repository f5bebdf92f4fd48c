/**
 * What docs/troubleshooting.md quotes, by section (`## 7. A plain Error …` is section 7): its ```text
 * blocks of output and its ```bash commands, and which of them tests/e2e/troubleshooting.test.ts has
 * reproduced so far, so its last test can name any that none did.
 */
import { expect } from 'chai';
import { blocksOf, commandsOf, missingFrom, type Block, type DocCommand } from './doc-text';

export const DOC = 'docs/troubleshooting.md';

/** `## 7. A plain Error …` → 7. */
function sectionOf(headings: string[]): number {
  const m = /^(\d+)\./.exec(headings[1] ?? '');
  return m ? Number(m[1]) : 0;
}

const textBlocks = new Map<number, Block[]>();
for (const block of blocksOf(DOC).filter((b) => b.lang === 'text')) {
  const n = sectionOf(block.headings);
  textBlocks.set(n, [...(textBlocks.get(n) ?? []), block]);
}
const docCommands = new Map<number, DocCommand[]>();
for (const command of commandsOf(DOC)) {
  const n = sectionOf(command.headings);
  docCommands.set(n, [...(docCommands.get(n) ?? []), command]);
}
const reproduced = new Set<number>(); // lines of the blocks and commands checked

/** Checks the `index`-th ```text block of `section` against real output. */
export function expectQuoted(section: number, index: number, output: string): void {
  const block = textBlocks.get(section)?.[index];
  if (!block) throw new Error(`${DOC} §${section} has no text block #${index + 1}`);
  const missing = missingFrom(block.lines, output);
  expect(missing, `${DOC}:${block.line} (§${section}): ${missing}\n\nwhole output:\n${output}`).to.equal(undefined);
  reproduced.add(block.line);
}

/** The `index`-th bash command of `section`, as printed. */
export function docCommand(section: number, index: number): DocCommand {
  const command = docCommands.get(section)?.[index];
  if (!command) throw new Error(`${DOC} §${section} has no command #${index + 1}`);
  reproduced.add(command.line);
  return command;
}

/** Whether the block or command at `line` of the page has been reproduced. */
export function wasReproduced(line: number): boolean {
  return reproduced.has(line);
}

/** Output printed with a test's own ledger file, as it reads with lesson 06's default `.data/lesson-06.sqlite`. */
export function asDefaultLedger(output: string, ledgerPath: string | undefined): string {
  return ledgerPath ? output.split(ledgerPath).join('.data/lesson-06.sqlite') : output;
}
