/**
 * The seed's criterion "the Temporal UI shows parent and child workflows separately", checked in a
 * real browser: after ORDER-001 runs through the lesson-06 solution on a private dev server with its
 * Web UI, that UI (headless Chromium, tests/e2e/browser.ts) lists the parent and its four children as
 * workflows of their own, the parent's page names the four children, and each child's page links back
 * to the parent's run.
 */
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from './browser';
import { HAPPY, OrderRunner } from './ui-orders';
import { startDevServer, type DevServer } from '../../common/kit/dev-server';

const PARENT = 'order-ORDER-001';
const CHILDREN = ['payment-ORDER-001', 'inventory-ORDER-001', 'shipping-ORDER-001', 'notification-ORDER-001'];

describe('Web UI (lesson 06): parent and child workflows are shown separately', function () {
  this.timeout(120_000);
  let server: DevServer | undefined;
  let runner: OrderRunner | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let ui: string;
  let parentRunId: string;

  before(async function () {
    this.timeout(180_000);
    server = await startDevServer({ ui: true });
    ui = server.uiUrl!;
    runner = await OrderRunner.on(server);
    const outcome = await runner.run(HAPPY);
    expect(outcome.kind, 'ORDER-001 with no faults').to.equal('completed');
    parentRunId = (await runner.client.workflow.getHandle(PARENT).describe()).runId;
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(20_000);
  });

  after(async () => {
    await browser?.close();
    await runner?.stop();
    await server?.stop();
  });

  /** Opens a workflow's page (the UI redirects to its latest run) and waits for its heading. */
  async function open(workflowId: string): Promise<void> {
    await page.goto(`${ui}/namespaces/default/workflows/${workflowId}`);
    await page.getByTestId('workflow-id-heading').filter({ hasText: workflowId }).waitFor();
  }

  it('the workflow list shows the parent and each child as a row of its own, with its ID', async () => {
    await page.goto(`${ui}/namespaces/default/workflows`);
    for (const id of [PARENT, ...CHILDREN]) {
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: id, exact: true }) });
      await row.waitFor();
      expect(await row.count(), `rows for ${id}`).to.equal(1);
    }
    expect(await page.getByTestId('workflow-count').innerText()).to.equal('5');
  });

  it(`${PARENT}'s Relationships tab lists four child workflows: ${CHILDREN.join(', ')}`, async () => {
    await open(PARENT);
    await page.getByTestId('relationships-tab').click();
    await page.waitForURL(/\/relationships$/);
    expect((await page.getByTestId('relationships-tab').innerText()).replace(/\s+/g, ' ').trim()).to.equal(
      'Relationships 4',
    );
    for (const id of CHILDREN) {
      const link = page.getByRole('link', { name: id, exact: true });
      await link.waitFor();
      expect(await link.getAttribute('href')).to.match(new RegExp(`/namespaces/default/workflows/${id}/[0-9a-f-]+/`));
    }
  });

  for (const child of CHILDREN) {
    it(`${child}'s page names ${PARENT} as its Parent Workflow and links to the parent's run`, async () => {
      await open(child);
      const parentCell = page
        .locator('dd', { hasText: /^\s*Parent Workflow\s*$/ })
        .locator('xpath=following-sibling::dt[1]');
      const link = parentCell.getByRole('link');
      expect((await link.innerText()).trim()).to.equal(PARENT);
      expect(await link.getAttribute('href')).to.equal(`/namespaces/default/workflows/${PARENT}/${parentRunId}`);
      await link.click();
      await page.getByTestId('workflow-id-heading').filter({ hasText: PARENT }).waitFor();
      expect(page.url()).to.contain(`/workflows/${PARENT}/${parentRunId}`);
    });
  }
});
