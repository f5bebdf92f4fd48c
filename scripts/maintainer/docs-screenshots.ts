/**
 * `npm run docs:screenshots`: the pictures in docs/06-order-fulfillment.md ("What to look for in the
 * Web UI") and lesson 07's timeline in docs/07-parallel-fulfillment.md, taken from the real thing. It starts a private dev server with its Web UI, runs three
 * lesson-06 orders through the solution with a worker in this process (tests/e2e/ui-orders.ts):
 * ORDER-001 completes, ORDER-002 is compensated after shipping fails, ORDER-003 is retried inside its
 * inventory child. Then it drives that server's own Web UI in headless Chromium (Debian's `chromium`
 * package through playwright-core: nothing is downloaded) and writes cropped PNGs to docs/images/.
 * Lesson 08's two pictures come from a deploy on the same server (lesson08 below).
 * Installs nothing; stops everything it started.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { Worker } from '@temporalio/worker';
import { LESSONS, orderWorkflowId } from '../../common/lessons';
import { installWorkerLogging } from '../../common/worker';
import { workflowTaskTrouble } from '../../common/workflow-trouble';
import { createActivities as createActivities08 } from '../../solution/08-versioning/activities';
import { REPO_ROOT, sampleOrder } from '../../services';
import { unpatchedSolution } from '../../tests/criteria/versioning-08';
import { freshServices, workflowBundle } from '../../common/kit/scratch';
import { ChromiumMissingError, launchBrowser } from '../../tests/e2e/browser';
import { COMPENSATED, HAPPY, OrderRunner, PARALLEL, RETRIED } from '../../tests/e2e/ui-orders';
import { startDevServer } from '../../common/kit/dev-server';
import { runMain } from '../../common/cli';
import { commandArgs, UsageError } from '../lib/args';

const FLAGS = {
  out: { type: 'string', description: 'where the PNGs go (default docs/images)' },
} as const;

const SUMMARY = `Runs three lesson-06 orders and one lesson-07 order on a private dev server and photographs its
Web UI in headless Chromium (/usr/bin/chromium, or CHROMIUM_PATH). Writes web-ui-*.png for docs/06, docs/07 and
docs/08 (a lesson-08 order stopped by a non-determinism error, then a new order with its patch marker).`;

/** Wide enough for the list's Type column; tall enough that every crop is on screen without scrolling. */
const VIEWPORT = { width: 1280, height: 2400 };
const CONTENT_LEFT = 80; // right of the navigation bar
const CONTENT_RIGHT = 1264;

type Log = (line: string) => void;

/**
 * Crops the page from the top of `from` to the bottom of `to` (or, with `beforeTo`, to just above it),
 * across the content column.
 */
async function shot(
  page: Page,
  file: string,
  from: Locator,
  to: Locator,
  log: Log,
  { padTop = 12, padBottom = 12, beforeTo = false } = {},
): Promise<void> {
  const top = await from.boundingBox();
  const bottom = await to.boundingBox();
  if (!top || !bottom) throw new Error(`${path.basename(file)}: the region to crop is not on the page`);
  const y = Math.max(0, Math.floor(top.y - padTop));
  const end = beforeTo ? bottom.y - 4 : bottom.y + bottom.height + padBottom;
  const clip = { x: CONTENT_LEFT, y, width: CONTENT_RIGHT - CONTENT_LEFT, height: Math.ceil(end - y) };
  await page.screenshot({ path: file, clip, animations: 'disabled', caret: 'hide' });
  log(
    `  ${path.relative(REPO_ROOT, file)} (${clip.width}×${clip.height}, ${Math.round(fs.statSync(file).size / 1024)} KB)`,
  );
}

/** Draws a ring around what the caption talks about. */
async function mark(target: Locator): Promise<void> {
  // Runs in the browser; this project compiles without the DOM's types, hence the narrow cast.
  await target.evaluate((el) => {
    Object.assign((el as unknown as { style: object }).style, {
      outline: '3px solid #e11d48',
      outlineOffset: '3px',
      borderRadius: '4px',
    });
  });
}

/** The workflow ID at the top of a workflow's page. */
function heading(page: Page, workflowId: string): Locator {
  return page.getByTestId('workflow-id-heading').filter({ hasText: workflowId });
}

/** The tabs of a workflow's page: the tab's test ID and the end of its URL. */
const TABS = {
  relationships: ['relationships-tab', 'relationships'],
  pendingActivities: ['pending-activities-tab', 'pending-activities'],
  queries: ['queries-tab', 'query'],
} as const;

/** The Web UI's page for one workflow's latest run (it opens on `<runId>/history`), on one tab. */
async function openWorkflow(page: Page, uiUrl: string, workflowId: string, tab?: keyof typeof TABS): Promise<void> {
  await page.goto(`${uiUrl}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
  await heading(page, workflowId).waitFor();
  if (tab) {
    const [testId, url] = TABS[tab];
    await page.getByTestId(testId).click();
    await page.waitForURL(new RegExp(`/${url}$`));
  }
}

/** Waits until the child's activity is past its first failure and running again. */
async function waitForRetry(handle: WorkflowHandle, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { raw } = await handle.describe().catch(() => ({ raw: undefined }));
    const pending = raw?.pendingActivities?.[0];
    if (
      pending?.attempt &&
      pending.attempt >= 2 &&
      pending.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
    )
      return pending.attempt;
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} never retried its activity`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * docs/08-versioning.md's pictures. Build v1 runs ORDER-001 until its shipment is on its way (the
 * shipping activity waits at a gate: the order is in flight); then v2 is deployed without its patch
 * (the solution's v2 with patched() replaced by true), the shipment lands, and the order's workflow task
 * fails with a non-determinism error: photographed. Then the patched v2 is deployed: ORDER-001 finishes
 * on its old path, and ORDER-002 runs the new flow with the `fraud-check` marker: photographed. Each
 * worker's identity names its build, so the history's Identity column shows which build did what.
 */
async function lesson08(runner: OrderRunner, page: Page, uiUrl: string, out: string, log: Log): Promise<void> {
  const { client, connection } = runner;
  const taskQueue = LESSONS['08'].taskQueue;
  const services = freshServices();
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const activities = createActivities08(services);
  const ship = activities.arrangeShipment;
  activities.arrangeShipment = async (input) => {
    if (input.orderId === 'ORDER-001') {
      arrived();
      await opened;
    }
    return ship(input);
  };
  const on = { connection, namespace: 'default', taskQueue };
  /** A workflow worker for one build (its identity names it), one at a time. */
  const build = async (buildId: string, file: string, options: { maxCachedWorkflows?: number } = {}) =>
    Worker.create({
      ...on,
      identity: `build ${buildId}`,
      workflowBundle: await workflowBundle(file),
      ...options,
    });
  const builds = path.join(REPO_ROOT, 'solution', LESSONS['08'].folder, 'workflows');
  const activityWorker = await Worker.create({ ...on, identity: 'activities', activities });
  const start = (orderId: string) =>
    client.workflow.start(LESSONS['08'].workflowType, {
      taskQueue,
      workflowId: orderWorkflowId('08', orderId),
      args: [sampleOrder(orderId)],
    });
  try {
    await activityWorker.runUntil(async () => {
      // v1 keeps no workflow cached, so the order's next task goes to the next build at once.
      const v1 = await build('v1', path.join(builds, 'v1.ts'), { maxCachedWorkflows: 0 });
      const inFlight = await v1.runUntil(async () => {
        const handle = await start('ORDER-001');
        await reached;
        return handle;
      });
      const naive = await build('v2-unpatched', path.join(unpatchedSolution(), 'workflows', 'v2.ts'));
      await naive.runUntil(async () => {
        release();
        for (;;) {
          const trouble = await workflowTaskTrouble(client, inFlight.workflowId);
          if (trouble?.nondeterminism) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        log(`ORDER-001 (lesson 08): stopped by a non-determinism error on v2 without its patch`);
        // A running workflow whose task keeps failing: the Web UI says why above its history.
        await openWorkflow(page, uiUrl, inFlight.workflowId);
        await page.getByText('Non Deterministic Error', { exact: true }).waitFor();
        await mark(page.getByText(/\[TMPRL1100\] Nondeterminism error/).first());
        await shot(
          page,
          path.join(out, 'web-ui-08-nondeterminism.png'),
          heading(page, inFlight.workflowId),
          page.getByRole('heading', { name: 'Event History' }),
          log,
          { beforeTo: true },
        );
      });
      const patched = await build('v2', path.join(builds, 'v2.ts'));
      await patched.runUntil(async () => {
        await inFlight.result();
        log('ORDER-001 (lesson 08): completed on the patched v2, on its old path');
        const fresh = await start('ORDER-002');
        await fresh.result();
        // Its history, every event, oldest first: the marker, then the fraud check.
        await openWorkflow(page, uiUrl, fresh.workflowId);
        await page.getByTestId('feed').click();
        const sort = page.getByRole('button', { name: /^(Descending|Ascending)$/ });
        if ((await sort.innerText()).trim() === 'Descending') await sort.click();
        await page.getByRole('button', { name: 'Ascending', exact: true }).waitFor();
        const markerRow = page.getByTestId('event-summary-row').filter({ hasText: 'Marker Recorded' });
        await markerRow.click();
        const patchId = page.getByText('"fraud-check"', { exact: true });
        await patchId.waitFor();
        await mark(patchId);
        await shot(
          page,
          path.join(out, 'web-ui-08-patch-marker.png'),
          markerRow,
          page
            .getByTestId('event-summary-row')
            .filter({ hasText: 'Activity Task Scheduled' })
            .filter({ hasText: 'checkFraud' }),
          log,
          { padTop: 1, padBottom: 1 },
        );
      });
    });
  } finally {
    release();
    services.close();
  }
}

async function main(): Promise<number> {
  const args = commandArgs('npm run docs:screenshots --', SUMMARY, FLAGS);
  if (!args) return 0;
  const out = path.resolve(args.out ?? path.join(REPO_ROOT, 'docs', 'images'));
  fs.mkdirSync(out, { recursive: true });
  const log: Log = (line) => console.log(line);
  const started = Date.now();

  let browser;
  try {
    browser = await launchBrowser(VIEWPORT);
  } catch (err) {
    if (err instanceof ChromiumMissingError) throw new UsageError(err.message);
    throw err;
  }
  installWorkerLogging('ERROR');
  const server = await startDevServer({ ui: true, log });
  let runner: OrderRunner | undefined;
  let page: Page | undefined;
  try {
    const uiUrl = server.uiUrl!;
    log(`Private dev server ${server.address}, Web UI ${uiUrl} (log ${server.logFile})`);
    runner = await OrderRunner.on(server);
    for (const scenario of [HAPPY, COMPENSATED]) {
      const outcome = await runner.run(scenario);
      log(`${scenario.orderId}: ${scenario.what}: ${outcome.kind}`);
    }
    await runner.useWorker(RETRIED);
    const retried = await runner.start(RETRIED);
    page = await browser.context.newPage();

    // While ORDER-003's inventory child retries: its pending activity, attempt and last failure.
    const attempt = await waitForRetry(runner.client.workflow.getHandle(`inventory-${RETRIED.orderId}`));
    log(`${RETRIED.orderId}: inventory on attempt ${attempt}; photographing its pending activity`);
    await openWorkflow(page, uiUrl, `inventory-${RETRIED.orderId}`, 'pendingActivities');
    const lastFailure = page.getByText('Last Failure', { exact: true });
    await lastFailure.waitFor();
    await mark(page.getByText(/\d+ of \d+/).first());
    await shot(
      page,
      path.join(out, 'web-ui-pending-retry.png'),
      heading(page, `inventory-${RETRIED.orderId}`),
      page.getByText('Stack Trace', { exact: true }),
      log,
      { beforeTo: true },
    );
    const outcome = await retried.outcome;
    log(`${RETRIED.orderId}: ${RETRIED.what}: ${outcome.kind}`);

    // The list: every parent and child is a workflow of its own, with its own ID (closed last, listed first).
    await page.goto(`${uiUrl}/namespaces/default/workflows`);
    await page.getByRole('link', { name: 'payment-ORDER-001', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Collapse saved views' }).click();
    await page.getByRole('link', { name: `order-${RETRIED.orderId}`, exact: true }).waitFor();
    const title = page.getByRole('heading', { name: /^\d+ Workflows/ });
    // ORDER-002's payment and inventory children: compensated, and still a green "Completed".
    for (const id of ['payment-ORDER-002', 'inventory-ORDER-002'])
      await mark(page.getByRole('row').filter({ hasText: id }).getByText('Completed', { exact: true }));
    await shot(
      page,
      path.join(out, 'web-ui-list.png'),
      title,
      page.getByRole('row').filter({ hasText: 'payment-ORDER-001' }),
      log,
    );

    // A child's page names its parent.
    await openWorkflow(page, uiUrl, 'payment-ORDER-001');
    const parentLink = page.locator('dd', { hasText: /^Parent Workflow$/ }).locator('xpath=following-sibling::dt[1]');
    await mark(parentLink.getByRole('link', { name: 'order-ORDER-001' }));
    await shot(
      page,
      path.join(out, 'web-ui-child-parent.png'),
      heading(page, 'payment-ORDER-001'),
      page.getByTestId('history-tab'),
      log,
    );

    // The parent's Relationships tab: its four children (newest first).
    await openWorkflow(page, uiUrl, 'order-ORDER-001', 'relationships');
    await page.getByRole('link', { name: 'payment-ORDER-001', exact: true }).waitFor();
    await shot(
      page,
      path.join(out, 'web-ui-relationships.png'),
      page.getByTestId('history-tab'),
      page.getByRole('link', { name: 'payment-ORDER-001', exact: true }),
      log,
      { padBottom: 36 },
    );

    // The compensated parent's history, oldest first, one row per activity or child.
    await openWorkflow(page, uiUrl, 'order-ORDER-002');
    const sort = page.getByRole('button', { name: /^(Descending|Ascending)$/ });
    if ((await sort.innerText()).trim() === 'Descending') await sort.click();
    await page.getByRole('button', { name: 'Ascending', exact: true }).waitFor();
    await page.getByTestId('compact').click();
    const lastRow = page.getByRole('row').filter({ hasText: 'refundPayment' });
    await lastRow.waitFor();
    await mark(page.getByRole('button', { name: 'Ascending', exact: true }));
    await shot(
      page,
      path.join(out, 'web-ui-history.png'),
      page.getByRole('heading', { name: 'Event History' }),
      lastRow,
      log,
      {
        padTop: 6,
      },
    );

    // The Queries tab: the parent's `status`.
    await openWorkflow(page, uiUrl, 'order-ORDER-002', 'queries');
    await page.getByRole('button', { name: 'Run Query' }).click();
    const result = page.getByTestId('query-result');
    await result.getByText('"compensations"').waitFor();
    await shot(page, path.join(out, 'web-ui-query.png'), page.getByTestId('history-tab'), result, log);

    // Lesson 07: the parent's timeline, with the payment and inventory children's bars side by side.
    const parallel = await runner.run(PARALLEL);
    log(`${PARALLEL.orderId}: ${PARALLEL.what}: ${parallel.kind}`);
    await openWorkflow(page, uiUrl, orderWorkflowId('07', PARALLEL.orderId));
    await page.getByText('paymentWorkflow', { exact: true }).first().waitFor();
    await shot(
      page,
      path.join(out, 'web-ui-07-timeline.png'),
      page.getByRole('heading', { name: 'Event History' }),
      page.getByTestId('compact'),
      log,
      { padTop: 6, beforeTo: true },
    );

    // Lesson 08: an order in flight when the change is deployed without its patch, then with it.
    await lesson08(runner, page, uiUrl, out, log);

    log(`Done in ${Math.round((Date.now() - started) / 1000)} s.`);
    return 0;
  } catch (err) {
    // What the browser saw when a step failed: the quickest way to see which selector the UI broke.
    const seen = path.join(os.tmpdir(), 'order-kit-web-ui-failed.png');
    if (
      await page?.screenshot({ path: seen, fullPage: true }).then(
        () => true,
        () => false,
      )
    )
      log(`The page when it failed: ${seen}`);
    throw err;
  } finally {
    await browser.close();
    await runner?.stop();
    await server.stop();
  }
}

runMain(main);
