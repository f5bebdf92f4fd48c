/**
 * Which of the planned rows one `npm run bench` runs: `--lesson NN` keeps one lesson's rows (and the
 * floors it is measured against), `--only a,b*` picks rows by name. A pick that matches nothing is refused
 * in one line that names it and what there is.
 */
import { LESSON_IDS, type LessonId } from '../../common/lessons';
import { UsageError } from '../lib/args';
import { floorOf, type RowSpec } from './rows';

/** The lessons some of these rows run, in the manifest's order. */
export function lessonsWithRows(rows: RowSpec[]): LessonId[] {
  return LESSON_IDS.filter((id) => rows.some((r) => r.lesson === id));
}

/**
 * `--lesson NN`: the rows that run that lesson, with the floors its ratios compare it to (without them
 * the run would measure the lesson against nothing), in the plan's order. `why` says why a lesson may
 * have no rows here (`with --tuning`), for the refusal.
 */
export function selectLesson(rows: RowSpec[], lesson: LessonId | undefined, why = ''): RowSpec[] {
  if (lesson === undefined) return rows;
  if (!rows.some((r) => r.lesson === lesson)) {
    const others = lessonsWithRows(rows);
    throw new UsageError(
      `--lesson ${lesson}: no bench rows run it${why}; lessons with rows: ${others.join(', ') || 'none'}`,
    );
  }
  const floors = new Set([floorOf(lesson), `${floorOf(lesson)}+1`]);
  return rows.filter((r) => r.lesson === lesson || (r.kind === 'floor' && floors.has(r.name)));
}

/** `--only a,b*`: the rows whose name matches, in the plan's order; an unknown name is an error. */
export function selectRows(rows: RowSpec[], only: string | undefined): RowSpec[] {
  if (only === undefined) return rows;
  const patterns = only
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (patterns.length === 0) throw new UsageError('--only needs at least one row name');
  const regexes = patterns.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  for (const [i, re] of regexes.entries()) {
    if (!rows.some((r) => re.test(r.name))) {
      throw new UsageError(`--only: no row named "${patterns[i]}"; rows here: ${rows.map((r) => r.name).join(', ')}`);
    }
  }
  return rows.filter((r) => regexes.some((re) => re.test(r.name)));
}
