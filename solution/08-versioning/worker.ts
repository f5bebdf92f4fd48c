/**
 * The worker of lesson 08: it hosts ONE build of the order flow (workflows/v1.ts … v4.ts) and the
 * activities, and polls the `order-versioning` task queue. Which build is the deploy:
 *
 *   ORDER_BUILD=v1 npm run worker -- --lesson 08          the flow running today
 *   ORDER_BUILD=v2 npm run worker -- --lesson 08          the change (the default)
 *
 * With ORDER_VERSIONING=pinned (or auto-upgrade) the worker joins Worker Versioning: it belongs to the
 * Worker Deployment `order-versioning` as the version whose build ID is its build, and takes only the
 * orders the server routes to that version. Set the current version with
 * `npx temporal worker deployment set-current-version --deployment-name order-versioning --build-id v1`.
 * Ctrl-C stops it.
 */
import type { WorkerOptions } from '@temporalio/worker';
import { runWorker, type LessonWorker } from '../../common/worker';
import { createActivities } from './activities';
import { BUILDS, DEFAULT_BUILD, DEPLOYMENT_NAME, TASK_QUEUE, type Build } from './shared';

const BEHAVIORS = { pinned: 'PINNED', 'auto-upgrade': 'AUTO_UPGRADE' } as const;

/** The build ORDER_BUILD names (default v2); anything else is refused with the builds there are. */
export function buildFromEnv(env: NodeJS.ProcessEnv = process.env): Build {
  const named = env.ORDER_BUILD?.trim() || DEFAULT_BUILD;
  if (!(BUILDS as readonly string[]).includes(named)) {
    throw new Error(`ORDER_BUILD=${named} is not a build of lesson 08: use ${BUILDS.join(', ')}`);
  }
  return named as Build;
}

/**
 * Worker Versioning for `build`, when ORDER_VERSIONING asks for it: this worker is version `build` of
 * the deployment, and the workflows it starts are pinned to it (or move on to the current version at
 * their next workflow task, with auto-upgrade). Undefined when ORDER_VERSIONING is unset.
 */
export function deploymentOptions(
  build: Build,
  env: NodeJS.ProcessEnv = process.env,
): WorkerOptions['workerDeploymentOptions'] {
  const asked = env.ORDER_VERSIONING?.trim();
  if (!asked) return undefined;
  const behavior = BEHAVIORS[asked as keyof typeof BEHAVIORS];
  if (!behavior) {
    throw new Error(
      `ORDER_VERSIONING=${asked} is not a versioning behavior: use ${Object.keys(BEHAVIORS).join(' or ')}`,
    );
  }
  return {
    version: { deploymentName: DEPLOYMENT_NAME, buildId: build },
    useWorkerVersioning: true,
    defaultVersioningBehavior: behavior,
  };
}

/** The worker for the build and versioning the environment asks for. */
export function lessonWorkerFor(env: NodeJS.ProcessEnv = process.env): LessonWorker {
  const build = buildFromEnv(env);
  const deployment = deploymentOptions(build, env);
  const versioning = deployment
    ? `; Worker Versioning: deployment ${DEPLOYMENT_NAME}, build ID ${build}, ${env.ORDER_VERSIONING?.trim()}`
    : '';
  return {
    lesson: '08',
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve(`./workflows/${build}`),
    createActivities,
    ...(deployment ? { workerOptions: { workerDeploymentOptions: deployment } } : {}),
    about: `build ${build} (workflows/${build}.ts)${versioning}`,
  };
}

export const lessonWorker: LessonWorker = lessonWorkerFor();

if (require.main === module) runWorker(lessonWorker);
