/**
 * The lint gate's import rules, proven on real files: a Node import injected into workflow code is an
 * error naming the sandbox, the same import in an activity file is not; a learner command importing
 * tests/ is refused, the grader's front end may import the criteria and the maintainer tools the harness.
 * Only that rule runs here (no type information needed), so the test takes a second, not the whole
 * lint's time.
 */
import { expect } from 'chai';
import { ESLint } from 'eslint';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../services';

const RULE = '@typescript-eslint/no-restricted-imports';

async function restrictedImports(file: string, injected: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: REPO_ROOT,
    ruleFilter: ({ ruleId }) => ruleId === RULE,
    overrideConfig: { languageOptions: { parserOptions: { project: null, projectService: false } } },
  });
  const filePath = path.join(REPO_ROOT, file);
  const [result] = await eslint.lintText(`${injected}\n${fs.readFileSync(filePath, 'utf8')}`, { filePath });
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => `${m.line}: ${m.message}`);
}

describe('npm run lint: the workflow-code rule', function () {
  this.timeout(30_000);

  for (const file of [
    'solution/06-order-fulfillment/workflows/payment.ts',
    'exercises/07-parallel-fulfillment/workflows/parallel-fulfillment.ts',
  ]) {
    it(`fires on \`import fs from 'node:fs'\` injected into ${file}`, async () => {
      expect(await restrictedImports(file, "import fs from 'node:fs';")).to.deep.equal([
        "1: 'node:fs' import is restricted from being used by a pattern. Workflow code cannot use Node modules (deterministic sandbox): do this in an activity.",
      ]);
    });
  }

  it('fires on a value import of the ledger services in workflow code', async () => {
    const messages = await restrictedImports(
      'solution/06-order-fulfillment/workflows/payment.ts',
      "import { createServices } from '../../../services';",
    );
    expect(messages).to.have.length(1);
    expect(messages[0]).to.match(/^1: .*The services open a SQLite ledger/);
  });

  for (const module of ['payment-gateway', 'ledger-schema', 'sqlite', 'stable-ids']) {
    it(`fires on a value import of services/${module} in workflow code: only the pure services pass`, async () => {
      const messages = await restrictedImports(
        'solution/06-order-fulfillment/workflows/payment.ts',
        `import * as outside from '../../../services/${module}';`,
      );
      expect(messages).to.have.length(1);
      expect(messages[0]).to.match(
        /^1: .*The services open a SQLite ledger: workflow code may import only services\/orders and services\/warehouses/,
      );
    });
  }

  it('lets workflow code import the pure services (orders, warehouses) and any service as a type', async () => {
    // Lesson 03's workflow imports values from both today.
    expect(await restrictedImports('solution/03-saga-fan-out/workflows/saga-fan-out.ts', '')).to.deep.equal([]);
    expect(
      await restrictedImports(
        'solution/06-order-fulfillment/workflows/payment.ts',
        "import type { ChargeReceipt } from '../../../services/payment-gateway';",
      ),
    ).to.deep.equal([]);
  });

  it("fires when a lesson imports another lesson's folder: an exercise reading a solution, in workflow code or not", async () => {
    for (const [file, injected] of [
      [
        'exercises/07-parallel-fulfillment/workflows/parallel-fulfillment.ts',
        "import { paymentWorkflow } from '../../../solution/06-order-fulfillment/workflows/payment';",
      ],
      [
        'exercises/07-parallel-fulfillment/client.ts',
        "import { TASK_QUEUE } from '../../solution/07-parallel-fulfillment/shared';",
      ],
      [
        'solution/07-parallel-fulfillment/activities.ts',
        "import { createActivities } from '../06-order-fulfillment/activities';",
      ],
    ]) {
      const messages = await restrictedImports(file, injected);
      expect(messages, `${file}: ${injected}`).to.not.deep.equal([]);
      for (const message of messages) {
        expect(message).to.match(/^1: .*(A lesson stands alone|may not import from original, solution, exercises)/);
      }
    }
  });

  it('leaves the same import alone in an activity file, and the lesson files as they are', async () => {
    expect(
      await restrictedImports('solution/06-order-fulfillment/activities.ts', "import fs from 'node:fs';"),
    ).to.deep.equal([]);
    expect(await restrictedImports('solution/06-order-fulfillment/workflows/payment.ts', '')).to.deep.equal([]);
  });
});

describe('npm run lint: learner commands stay off tests/', function () {
  this.timeout(30_000);

  const harness = "import { workflowBundle } from '../tests/support/harness';";

  for (const [file, injected] of [
    ['scripts/reset.ts', harness],
    ['scripts/lib/args.ts', "import { workflowBundle } from '../../tests/support/harness';"],
    ['scripts/chaos/lab.ts', "import type { AttemptCheck } from '../../tests/support/attempts';"],
    ['scripts/grade.ts', harness],
  ]) {
    it(`fires on \`${injected}\` injected into ${file}`, async () => {
      const messages = await restrictedImports(file, injected);
      expect(messages).to.have.length(1);
      expect(messages[0]).to.match(/^1: .*A learner command may not import tests\//);
    });
  }

  it('lets the grader import its engine (tests/criteria) and the maintainer tools the harness', async () => {
    // scripts/grade.ts imports tests/criteria today; a maintainer tool drives the end-to-end harness.
    expect(await restrictedImports('scripts/grade.ts', '')).to.deep.equal([]);
    expect(
      await restrictedImports('scripts/maintainer/docs-screenshots.ts', "import '../../tests/support/harness';"),
    ).to.deep.equal([]);
  });
});
