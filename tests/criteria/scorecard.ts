/**
 * Scores a target against criteria: each scenario runs once, every criterion that needs it reads
 * the same observation (a criterion may read several). Used by the tests and by the grader.
 *
 * Scenarios of one target run side by side on one worker (./rig.ts `withRig`): they mostly wait on
 * retry backoff, so the wall time is about the slowest one.
 *
 * Observations are cached in this process by content, not by path: the key is a hash of the lesson's
 * files and of services/ and common/ (plus the folder's depth, which decides where `../../services`
 * points) and the scenario. So a byte-identical copy is graded once: the proof swap (the solution
 * copied over a copy of the exercises) shares the solution's observations, and grading the starter
 * twice runs it once. Any edit changes the key, so an edited tree is always run afresh.
 */
import path from 'node:path';
import { createLimiter } from '../../common/kit/limit';
import { REPO_ROOT } from '../../services';
import { hashFiles } from './cache';
import { traced } from './trace';
import { scenariosOf, type Criterion, type Verdict } from './criterion';
import type { Observation, Scenario, Target, TemporalTarget } from './observation';
import { observe } from './observe';
import { needsWorker, withRig } from './rig';

export interface Score extends Verdict {
  criterion: Criterion;
  observation?: Observation;
}

const observations = new Map<string, Promise<Observation>>();
const MAX_CACHED = 200;

/**
 * At most this many scenarios run at once in this process (the tests grade many copies side by side).
 * Every scenario runs against a clock (its workflows' execution timeout); on a small machine more at
 * once would only slow each one down towards it. A lesson's own scenarios all fit.
 *
 * The cap spans every scoreTarget call in flight, not one list of scenarios: one limiter for the process.
 */
const inTurn = createLimiter(10);

function contentKey(target: TemporalTarget): string {
  const depth = path.relative(REPO_ROOT, target.lessonDir).split(path.sep).length;
  const content = hashFiles([target.lessonDir, path.join(REPO_ROOT, 'services'), path.join(REPO_ROOT, 'common')]);
  return `${target.lesson}:${depth}:${content}`;
}

/**
 * One promise per scenario: from the cache, or run now (those that need workflows on one worker), and
 * `done`, which settles once that worker has stopped.
 */
function observeAll(
  target: Target,
  scenarios: Scenario[],
): { pending: Map<string, Promise<Observation>>; done: Promise<unknown> } {
  const result = new Map<string, Promise<Observation>>();
  let done: Promise<unknown> = Promise.resolve();
  const base = target.kind === 'temporal' ? contentKey(target) : undefined;
  const keyOf = (scenario: Scenario) => (base ? `${base}:${JSON.stringify(scenario)}` : undefined);
  const fresh: Scenario[] = [];
  for (const scenario of scenarios) {
    const key = keyOf(scenario);
    const cached = key ? observations.get(key) : undefined;
    if (cached) result.set(scenario.id, cached);
    else fresh.push(scenario);
  }
  const onWorker = fresh.filter((s) => needsWorker(target, s));
  for (const scenario of fresh.filter((s) => !needsWorker(target, s))) {
    result.set(
      scenario.id,
      inTurn(() => traced(`scenario ${scenario.id}`, observe(target, scenario))),
    );
  }
  if (onWorker.length) {
    const settle = new Map<string, { resolve: (o: Observation) => void; reject: (e: unknown) => void }>();
    for (const scenario of onWorker) {
      result.set(
        scenario.id,
        new Promise<Observation>((resolve, reject) => settle.set(scenario.id, { resolve, reject })),
      );
    }
    done = withRig(target, (rig) =>
      Promise.all(
        onWorker.map((scenario) =>
          inTurn(() => traced(`scenario ${scenario.id}`, observe(target, scenario, rig))).then(
            settle.get(scenario.id)!.resolve,
            settle.get(scenario.id)!.reject,
          ),
        ),
      ),
    ).catch((err) => {
      // The worker could not start (say, the workflows do not bundle): every scenario reports it.
      for (const { reject } of settle.values()) reject(err);
    });
  }
  for (const scenario of fresh) {
    const key = keyOf(scenario);
    const pending = result.get(scenario.id)!;
    pending.catch(() => key && observations.delete(key));
    if (key) observations.set(key, pending);
  }
  while (observations.size > MAX_CACHED) observations.delete(observations.keys().next().value!);
  return { pending: result, done };
}

/**
 * A criterion's verdict over each scenario it reads: it passes when every one passes. The detail is
 * the failing scenarios' (or, when all pass, every scenario's), and the observation the first failing
 * one, which the grader explains.
 */
function combined(verdicts: Omit<Score, 'criterion'>[]): Omit<Score, 'criterion'> {
  const failing = verdicts.filter((v) => !v.pass);
  const shown = failing.length ? failing : verdicts;
  return {
    pass: failing.length === 0,
    detail: [...new Set(shown.map((v) => v.detail))].join('; '),
    ...(shown[0].observation ? { observation: shown[0].observation } : {}),
  };
}

export async function scoreTarget(target: Target, criteria: Criterion[]): Promise<Score[]> {
  const scenarios = [...new Map(criteria.flatMap(scenariosOf).map((s) => [s.id, s])).values()];
  const { pending, done } = observeAll(target, scenarios);
  for (const p of pending.values()) p.catch(() => undefined); // reported per criterion below
  const scores: Score[] = [];
  for (const criterion of criteria) {
    const verdicts: Omit<Score, 'criterion'>[] = [];
    for (const scenario of scenariosOf(criterion)) {
      try {
        const observation = await pending.get(scenario.id)!;
        verdicts.push({ observation, ...criterion.check(observation) });
      } catch (err) {
        verdicts.push({
          pass: false,
          detail: `the scenario could not run: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
    scores.push({ criterion, ...combined(verdicts) });
  }
  await done; // the worker has stopped: nothing of this run still holds the server's connection
  return scores;
}
