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
 *
 * Written out in full, as you would in your own project: connect to Temporal (a NativeConnection),
 * create a Worker for the task queue with the build's workflows, the activities and the build's
 * Worker Versioning settings, run it. `lessonWorker` below is what the kit's tools (`npm run worker`,
 * the grader) load.
 */
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { runMain } from '../../common/cli';
import { connectWorker, temporalSettings } from '../../common/connection';
import { attemptInterceptor, installWorkerLogging, servicesFromEnv, type LessonWorker } from '../../common/worker';
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

/** `build v1 (workflows/v1.ts)`, and its Worker Versioning when there is any: the worker's last ready line. */
function describeBuild(build: Build, env: NodeJS.ProcessEnv): string {
  const versioning = env.ORDER_VERSIONING?.trim()
    ? `; Worker Versioning: deployment ${DEPLOYMENT_NAME}, build ID ${build}, ${env.ORDER_VERSIONING.trim()}`
    : '';
  return `build ${build} (workflows/${build}.ts)${versioning}`;
}

/** The worker for the build and versioning the environment asks for. */
export function lessonWorkerFor(env: NodeJS.ProcessEnv = process.env): LessonWorker {
  const build = buildFromEnv(env);
  const deployment = deploymentOptions(build, env);
  return {
    lesson: '08',
    taskQueue: TASK_QUEUE,
    workflowsPath: require.resolve(`./workflows/${build}`),
    createActivities,
    ...(deployment ? { workerOptions: { workerDeploymentOptions: deployment } } : {}),
    about: describeBuild(build, env),
  };
}

export const lessonWorker: LessonWorker = lessonWorkerFor();

async function main(): Promise<void> {
  // The deploy (ORDER_BUILD, ORDER_VERSIONING), where Temporal is (TEMPORAL_ADDRESS, a profile, or the
  // local dev server), and the outside world (LEDGER_PATH, ORDER_FAULTS, ORDER_SEED, ORDER_LATENCY).
  const build = buildFromEnv();
  const settings = temporalSettings();
  const services = servicesFromEnv('08');
  installWorkerLogging('WARN');
  const taskQueue = process.env.TASK_QUEUE?.trim() || TASK_QUEUE;
  let connection: NativeConnection | undefined;
  try {
    connection = await connectWorker(settings);
    const worker = await Worker.create({
      connection,
      namespace: settings.namespace,
      taskQueue,
      // Only this build's workflows are bundled: every build registers the same type, orderFlowWorkflow.
      workflowsPath: require.resolve(`./workflows/${build}`),
      activities: createActivities(services),
      // Tells the simulated services which attempt each call is, so ORDER_FAULTS=…first:N follows Temporal.
      interceptors: { activity: [attemptInterceptor] },
      // With ORDER_VERSIONING, this worker is the version `build` of the Worker Deployment; without, none.
      workerDeploymentOptions: deploymentOptions(build),
    });
    console.log(`Lesson 08 worker polling "${taskQueue}" on ${settings.address} (namespace ${settings.namespace})`);
    console.log(`  ledger ${services.ledger.path}; ${services.faults.describe()}${services.latency.describe()}`);
    console.log(`  ${describeBuild(build, process.env)}`);
    // Until Ctrl-C (SIGINT) or SIGTERM: then it finishes the tasks in flight and stops.
    await worker.run();
  } finally {
    await connection?.close();
    services.close();
  }
}

if (require.main === module) runMain(main);
