/**
 * The rows `npm run bench` can run: the engine floor (no-op activities in the lessons' shapes), every
 * lesson's solution and original, with and without faults, and the worker settings tried by --tuning.
 * Which of them one run picks (`--lesson`, `--only`) is scripts/bench/select.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { LESSON_IDS, LESSONS, type LessonId } from '../../common/lessons';
import type { WorkerTuning } from '../../common/worker';
import { FaultPlan, LatencyPlan, REPO_ROOT } from '../../services';
import { lessonFaults } from '../lib/batch';
import type { FloorShape } from './workflows';

export type RowKind = 'floor' | 'lesson' | 'original';

export interface FloorWorkflow {
  workflowType: 'flatFloorWorkflow' | 'parentFloorWorkflow';
  shape: FloorShape;
}

export interface RowSpec {
  /** What --only matches, e.g. `children-4`, `lesson-06-faults`, `original-02`. */
  name: string;
  what: string;
  kind: RowKind;
  lesson?: LessonId;
  floor?: FloorWorkflow;
  faults: FaultPlan;
  latency: LatencyPlan;
  tuning?: WorkerTuning;
  /** Run only this many of the orders (a long workflow per order), instead of all of them. */
  orders?: number;
  /** Also time how long replaying the first order's history takes (its last run, after continue-as-new). */
  replay?: boolean;
}

function flat(steps: number): FloorWorkflow {
  return { workflowType: 'flatFloorWorkflow', shape: { steps } };
}

export function parent(steps: number, activitiesPerChild = 1, parentActivities = 0): FloorWorkflow {
  return { workflowType: 'parentFloorWorkflow', shape: { steps, activitiesPerChild, parentActivities } };
}

export function floorRow(
  name: string,
  what: string,
  floor: FloorWorkflow,
  tuning?: WorkerTuning,
  more: Pick<RowSpec, 'orders' | 'replay'> = {},
): RowSpec {
  return {
    name,
    what,
    kind: 'floor',
    floor,
    faults: FaultPlan.parse('none'),
    latency: LatencyPlan.none(),
    ...(tuning ? { tuning } : {}),
    ...more,
  };
}

/** The engine floor a lesson is measured against: its shape with nothing inside. */
export function floorOf(lesson: LessonId): string {
  const children = LESSONS[lesson].children.length;
  return children > 0 ? `children-${children}` : 'flat-4';
}

/** The lessons whose solution is there (a lesson being written may be in the manifest before its files). */
export function availableLessons(): { present: LessonId[]; missing: { lesson: LessonId; reason: string }[] } {
  const present: LessonId[] = [];
  const missing: { lesson: LessonId; reason: string }[] = [];
  for (const id of LESSON_IDS) {
    if (fs.existsSync(path.join(REPO_ROOT, 'solution', LESSONS[id].folder, 'worker.ts'))) present.push(id);
    else missing.push({ lesson: id, reason: `solution/${LESSONS[id].folder} is not there yet` });
  }
  return { present, missing };
}

export function mainRows(seed: number, lessons: LessonId[]): RowSpec[] {
  const off = FaultPlan.parse('none', seed);
  const none = LatencyPlan.none();
  /** A lesson's code twice: with faults off (`name`), then with the lesson's faults (`name-faults`). */
  const offAndWithFaults = (kind: 'lesson' | 'original', id: LessonId, what: string, whatWithFaults: string) =>
    [
      { name: `${kind}-${id}`, what, faults: off },
      { name: `${kind}-${id}-faults`, what: whatWithFaults, faults: lessonFaults(id, seed) },
    ].map((row): RowSpec => ({ ...row, kind, lesson: id, latency: none }));
  const rows: RowSpec[] = [];
  const floors: Record<string, RowSpec> = {
    'flat-4': floorRow('flat-4', '1 workflow, 4 no-op activities', flat(4)),
    'flat-5': floorRow('flat-5', '1 workflow, 5 no-op activities', flat(5)),
  };
  for (const id of lessons) {
    const n = LESSONS[id].children.length;
    if (n > 0) {
      floors[`children-${n}`] ??= floorRow(`children-${n}`, `parent + ${n} children, 1 no-op activity each`, parent(n));
      // The lessons' exact shape: their parent validates the order (one activity) before the children.
      floors[`children-${n}+1`] ??= floorRow(
        `children-${n}+1`,
        `parent with 1 no-op activity + ${n} children, 1 no-op activity each`,
        parent(n, 1, 1),
      );
    }
  }
  // Each floor runs right before the lessons measured against it, so both meet the same server state.
  const emitted = new Set<string>();
  const emitFloor = (name: string) => {
    if (emitted.has(name) || !floors[name]) return;
    emitted.add(name);
    rows.push(floors[name]);
  };
  for (const id of lessons) {
    if (LESSONS[id].children.length > 0) emitFloor('flat-5');
    emitFloor(floorOf(id));
    if (LESSONS[id].children.length > 0) emitFloor(`${floorOf(id)}+1`);
    const shape = LESSONS[id].children.length > 0 ? `parent + ${LESSONS[id].children.length} children` : '1 workflow';
    rows.push(
      ...offAndWithFaults('lesson', id, `lesson ${id} solution (${shape})`, `lesson ${id} solution, with faults`),
    );
  }
  for (const name of Object.keys(floors)) emitFloor(name);
  for (const id of lessons) {
    if (!fs.existsSync(path.join(REPO_ROOT, LESSONS[id].original))) continue;
    rows.push(
      ...offAndWithFaults('original', id, `lesson ${id} original (monolith)`, `lesson ${id} original, with faults`),
    );
  }
  return rows;
}

export function latencyRows(seed: number, lessons: LessonId[], latency: LatencyPlan): RowSpec[] {
  const withChildren = lessons.filter((id) => LESSONS[id].children.length > 0);
  // The same faults for every lesson: ORDER_FAULTS when set, else the first lesson's rates.
  const faults = withChildren.length ? lessonFaults(withChildren[0], seed) : FaultPlan.parse('none', seed);
  return withChildren.map((id) => ({
    name: `lesson-${id}`,
    what: `lesson ${id} solution: ${LESSONS[id].title}`,
    kind: 'lesson' as const,
    lesson: id,
    faults,
    latency,
  }));
}

/** The settings and shapes tried when throughput matters, each on the parent-with-4-children floor. */
export function tuningRows(): RowSpec[] {
  const base = parent(4);
  return [
    floorRow('default', 'children-4, SDK defaults (40 workflow task slots, 10+10 pollers)', base),
    floorRow('wft-slots-100', 'children-4, maxConcurrentWorkflowTaskExecutions 100', base, {
      maxConcurrentWorkflowTaskExecutions: 100,
    }),
    floorRow('wft-slots-10', 'children-4, maxConcurrentWorkflowTaskExecutions 10', base, {
      maxConcurrentWorkflowTaskExecutions: 10,
    }),
    floorRow('pollers-30', 'children-4, 30 workflow + 30 activity task pollers', base, {
      workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 30 },
      activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 30 },
    }),
    floorRow('pollers-autoscaling', 'children-4, autoscaling pollers', base, {
      workflowTaskPollerBehavior: { type: 'autoscaling' },
      activityTaskPollerBehavior: { type: 'autoscaling' },
    }),
    floorRow('threads-2', 'children-4, workflowThreadPoolSize 2', base, { workflowThreadPoolSize: 2 }),
    floorRow('cache-50', 'children-4, maxCachedWorkflows 50 (evictions, replays)', base, {
      maxCachedWorkflows: 50,
      maxConcurrentWorkflowTaskExecutions: 40,
    }),
    floorRow('cache-off', 'children-4, maxCachedWorkflows 0 (every task replays)', base, { maxCachedWorkflows: 0 }),
    floorRow('children-2x2', 'parent + 2 children, 2 no-op activities each', parent(2, 2)),
    floorRow('flat-4', '1 workflow, 4 no-op activities', flat(4), undefined, { replay: true }),
    // Continue-as-new: one long workflow (1 order) in one history, then the same work in runs of 100.
    floorRow('long-500', '1 workflow, 500 no-op activities in one history (1 order)', flat(500), undefined, {
      orders: 1,
      replay: true,
    }),
    floorRow(
      'long-500-can-100',
      'the same 500 activities, continue-as-new every 100 (1 order, 5 runs; events: the last run)',
      { workflowType: 'flatFloorWorkflow', shape: { steps: 500, continueAsNewEvery: 100 } },
      undefined,
      { orders: 1, replay: true },
    ),
    // The default once more, last: how far the same settings drift within one run (the noise floor).
    floorRow('default-again', 'children-4, SDK defaults again, to see the run-to-run noise', base),
  ];
}
