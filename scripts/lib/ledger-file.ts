/**
 * The ledger a command reads (`npm run ledger`, `npm run reconcile`): its two flags, and the file they
 * name, which must be there already: reading it must not create an empty one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_LESSON, LESSON_IDS, type LessonId } from '../../common/lessons';
import { LedgerError, ledgerPathFromEnv } from '../../services';
import type { ParsedArgs } from './args';

export const LEDGER_FLAGS = {
  lesson: { type: 'string', choices: LESSON_IDS, description: `whose ledger (default ${DEFAULT_LESSON})` },
  ledger: {
    type: 'string',
    description: 'ledger file (default LEDGER_PATH, else the lesson’s own: .data/lesson-<lesson>.sqlite)',
  },
} as const;

/** --ledger, else LEDGER_PATH, else the lesson's own; `missing` says what to do when it is not there. */
export function ledgerToRead(
  args: ParsedArgs<typeof LEDGER_FLAGS>,
  missing: (file: string) => string,
): { lesson: LessonId; file: string } {
  const lesson = (args.lesson ?? DEFAULT_LESSON) as LessonId;
  const file = args.ledger ? path.resolve(args.ledger) : ledgerPathFromEnv(process.env, lesson);
  if (!fs.existsSync(file)) throw new LedgerError(missing(file));
  return { lesson, file };
}
