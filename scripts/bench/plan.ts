/**
 * What one `npm run bench` runs, from its command line: the flags and their defaults per mode, the
 * help, and the plan (mode, rows, orders, settings, and the notes the report ends with).
 */
import { LESSON_IDS, type LessonId } from '../../common/lessons';
import { LatencyPlan, parseSeed } from '../../services';
import { usage, UsageError, type ParsedArgs } from '../lib/args';
import { availableLessons, latencyRows, mainRows, tuningRows, type RowSpec } from './rows';
import { selectLesson, selectRows } from './select';

export type Mode = 'main' | 'latency' | 'tuning';

/**
 * Per mode: enough orders to keep the machine busy for a while (the whole main run takes about 3
 * minutes on 2 idle cores), and enough in flight to saturate the worker. The latency mode keeps few
 * in flight instead: a saturated machine would measure its queue, not the order's own path.
 */
const DEFAULTS: Record<Mode, { orders: number; concurrency: number }> = {
  main: { orders: 150, concurrency: 50 },
  latency: { orders: 40, concurrency: 4 },
  tuning: { orders: 100, concurrency: 50 },
};
const DEFAULT_LATENCY = 'payment=300ms,inventory=400ms,shipping=200ms,notification=100ms';

export const FLAGS = {
  orders: {
    type: 'int',
    min: 1,
    max: 10_000,
    description: `orders per row (default ${DEFAULTS.main.orders}; --latency ${DEFAULTS.latency.orders}; --tuning ${DEFAULTS.tuning.orders})`,
  },
  concurrency: {
    type: 'int',
    min: 1,
    max: 10_000,
    description: `orders in flight at once (default ${DEFAULTS.main.concurrency}; --latency ${DEFAULTS.latency.concurrency})`,
  },
  seed: { type: 'int', description: 'seed for the fault and latency draws (default ORDER_SEED or 1)' },
  only: { type: 'string', description: 'run only these rows: names separated by commas, * matches any text' },
  lesson: {
    type: 'string',
    choices: LESSON_IDS,
    description: "run only this lesson's rows, and the floors it is measured against",
  },
  latency: {
    type: 'boolean',
    description: `lessons with children side by side under ORDER_LATENCY (default ${DEFAULT_LATENCY})`,
  },
  tuning: { type: 'boolean', description: 'the parent-with-children floor under worker settings and shapes' },
  repeat: {
    type: 'int',
    min: 1,
    max: 20,
    description: 'run every row this many times, in turns, and report the medians (default 1)',
  },
  json: { type: 'boolean', description: 'print one JSON document for programs, and no progress' },
} as const;

export interface BenchPlan {
  mode: Mode;
  seed: number;
  /** --lesson: the one lesson whose rows run. */
  lesson?: LessonId;
  /** The simulated service latency (--latency only). */
  latency?: LatencyPlan;
  rows: RowSpec[];
  /** Orders per row. */
  count: number;
  concurrency: number;
  repeat: number;
  json: boolean;
  notes: string[];
}

export function helpText(): string {
  const seed = 1;
  const { present } = availableLessons();
  const names = (rows: RowSpec[]) => rows.map((r) => r.name).join(', ');
  return [
    usage(
      'npm run bench --',
      'What Temporal costs per shape of workflow (the engine floor, no-op activities), what the lessons and the\n' +
        'originals cost on top, and the ratios; all in one process on one private dev server.',
      FLAGS,
    ),
    '',
    `Rows: ${names(mainRows(seed, present))}`,
    `Rows with --latency: ${names(latencyRows(seed, present, LatencyPlan.none())) || 'none'}`,
    `Rows with --tuning: ${names(tuningRows())}`,
    'Faults: ORDER_FAULTS when set (ORDER_FAULTS=none for none), else each lesson’s own rates.',
  ].join('\n');
}

/** The plan for these flags; a bad combination or an unknown row is a UsageError. */
export function planFrom(args: ParsedArgs<typeof FLAGS>): BenchPlan {
  if (args.latency && args.tuning) throw new UsageError('--latency and --tuning are separate runs: pick one');
  const mode: Mode = args.latency ? 'latency' : args.tuning ? 'tuning' : 'main';
  const seed = args.seed ?? parseSeed(process.env.ORDER_SEED);
  const { present, missing } = availableLessons();
  const latency =
    mode === 'latency' ? LatencyPlan.parse(process.env.ORDER_LATENCY?.trim() || DEFAULT_LATENCY, seed) : undefined;
  const planned =
    mode === 'latency'
      ? latencyRows(seed, present, latency!)
      : mode === 'tuning'
        ? tuningRows()
        : mainRows(seed, present);
  // The flag's choices are the manifest's lesson IDs.
  const lesson = args.lesson as LessonId | undefined;
  const missingReason = missing.find((m) => m.lesson === lesson)?.reason;
  const why = missingReason
    ? ` (${missingReason})`
    : mode === 'latency'
      ? ' with --latency, which runs the lessons with children'
      : mode === 'tuning'
        ? ' with --tuning, which runs the engine floor only'
        : '';
  const rows = selectRows(selectLesson(planned, lesson, why), args.only);

  const notes: string[] = [];
  if (mode !== 'latency' && process.env.ORDER_LATENCY?.trim()) {
    notes.push('ORDER_LATENCY is ignored here (the floor has no services to slow down); it applies with --latency.');
  }
  // With --lesson the other lessons were left out on purpose: nothing to say about them.
  const left = lesson ? [] : missing.map((m) => `lesson ${m.lesson} (${m.reason})`);
  if (mode === 'latency') {
    for (const m of left) notes.push(`${m}: not compared.`);
    if (rows.length < 2) {
      notes.push(
        lesson
          ? `Only lesson ${lesson} ran (--lesson): nothing to compare it with.`
          : 'Only one lesson with children to run: nothing to compare it with yet.',
      );
    }
  } else if (mode === 'main') {
    for (const m of left) notes.push(`${m}: no rows for it.`);
  }

  return {
    mode,
    seed,
    ...(lesson ? { lesson } : {}),
    ...(latency ? { latency } : {}),
    rows,
    count: args.orders ?? DEFAULTS[mode].orders,
    concurrency: args.concurrency ?? DEFAULTS[mode].concurrency,
    repeat: args.repeat ?? 1,
    json: args.json === true,
    notes,
  };
}
