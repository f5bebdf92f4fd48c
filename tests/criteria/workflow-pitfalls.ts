/**
 * The classic Temporal pitfalls in a lesson's workflow code (under workflows/, which runs in a
 * deterministic sandbox): Node modules or the services imported, plain errors thrown, activities called
 * without await, retries without a limit, a late `status` handler, errors dropped, unguarded joins.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import { moduleImports } from '../../common/kit/module-imports';
import type { Finding } from './pitfalls';
import { catchHandler, contains, listTs, parse, where } from './source';

/** Node's own modules: every name it lists (`fs`, `fs/promises`, `timers` …), and anything `node:…`. */
function isNodeModule(spec: string): boolean {
  return spec.startsWith('node:') || builtinModules.includes(spec);
}

/** The names of queries defined as `defineQuery(…'status')` in the workflow files. */
function statusQueryNames(sources: ts.SourceFile[]): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node) => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.initializer &&
      isStatusQueryDefinition(node.initializer)
    ) {
      names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  sources.forEach(visit);
  return names;
}

function isStatusQueryDefinition(node: ts.Node): boolean {
  return (
    ts.isCallExpression(node) &&
    /(^|\.)defineQuery$/.test(node.expression.getText()) &&
    node.arguments.length > 0 &&
    ts.isStringLiteralLike(node.arguments[0]) &&
    node.arguments[0].text === 'status'
  );
}

/** Visits `body` without entering nested functions (their awaits and calls belong to them). */
function forEachInOwnBody(body: ts.Node, visit: (node: ts.Node) => void): void {
  const walk = (node: ts.Node) => {
    visit(node);
    if (ts.isFunctionLike(node)) return;
    ts.forEachChild(node, walk);
  };
  ts.forEachChild(body, walk);
}

/**
 * `setHandler(statusQuery, …)` placed after the first `await` of the function that registers it: until
 * that await returns, the workflow cannot answer `status` (say, while the order validates).
 */
function lateQueryHandlers(source: ts.SourceFile, statusQueries: Set<string>, file: string, root: string): Finding[] {
  const findings: Finding[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body && ts.isBlock(node.body)) {
      let firstAwait: ts.Node | undefined;
      const handlers: ts.CallExpression[] = [];
      forEachInOwnBody(node.body, (inner) => {
        if (!firstAwait && (ts.isAwaitExpression(inner) || (ts.isForOfStatement(inner) && inner.awaitModifier))) {
          firstAwait = inner;
        }
        if (
          ts.isCallExpression(inner) &&
          /(^|\.)setHandler$/.test(inner.expression.getText(source)) &&
          inner.arguments.length > 0
        ) {
          const query = inner.arguments[0];
          if (
            (ts.isIdentifier(query) && statusQueries.has(query.text)) ||
            isStatusQueryDefinition(query) ||
            (ts.isIdentifier(query) && /status/i.test(query.text))
          ) {
            handlers.push(inner);
          }
        }
      });
      for (const handler of handlers) {
        if (firstAwait && firstAwait.getStart(source) < handler.getStart(source)) {
          const awaitLine = source.getLineAndCharacterOfPosition(firstAwait.getStart(source)).line + 1;
          const awaited = firstAwait.getText(source).split('\n')[0].replace(/\(.*$/, '(…)').slice(0, 60);
          findings.push({
            kind: 'late-query-handler',
            ...where(file, handler, source, root),
            message:
              `registers the \`status\` query handler after \`${awaited}\` (line ${awaitLine}). Until that await returns ` +
              `the workflow cannot answer \`status\`: a query while the order validates fails. ` +
              `Call setHandler(…) first, before any await.`,
          });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** Pitfalls in the files under `<lessonDir>/workflows` (workflow code runs in a deterministic sandbox). */
export function workflowPitfalls(lessonDir: string, root: string): Finding[] {
  const findings: Finding[] = [];
  const files = listTs(path.join(lessonDir, 'workflows'));
  const sources = files.map(parse);
  const statusQueries = statusQueryNames(sources);
  files.forEach((file, index) => {
    const source = sources[index];
    const asyncNames = new Set(['executeChild', 'startChild', 'runChild', 'runTracked', 'sleep', 'condition']);

    // Import statements only (not require(…), import(…) or `export … from`): what a learner writes.
    const imports = new Map(
      moduleImports(source)
        .filter((found) => ts.isImportDeclaration(found.node))
        .map((found) => [found.node, found]),
    );

    const visit = (node: ts.Node) => {
      // import fs from 'fs' / import { createActivities } from '../activities' (without `import type`)
      const imported = imports.get(node);
      if (imported) {
        const { spec, typeOnly } = imported;
        if (isNodeModule(spec)) {
          findings.push({
            kind: 'disallowed-import',
            ...where(file, node, source, root),
            message: `imports the Node module "${spec}" into workflow code. Workflows run in a deterministic sandbox without Node APIs: move that work into an activity.`,
          });
        } else if (!typeOnly && /(^|\/)activities$/.test(spec)) {
          findings.push({
            kind: 'disallowed-import',
            ...where(file, node, source, root),
            message: `imports the activities module as a value. Workflow code may only use \`import type\` for activities (then call them through proxyActivities); a value import drags the services and Node modules into the workflow bundle.`,
          });
        } else if (!typeOnly && /services(\/index)?$/.test(spec)) {
          findings.push({
            kind: 'disallowed-import',
            ...where(file, node, source, root),
            message: `imports "${spec}" into workflow code; it opens files and databases. Import pure helpers from services/orders, or use \`import type\`.`,
          });
        }
      }
      // catch (err) { … } that neither rethrows nor uses the error: the failure is dropped
      const dropped = droppedError(node, source);
      if (dropped) {
        findings.push({
          kind: 'swallowed-error',
          ...where(file, dropped, source, root),
          message:
            'catches an error and drops it (no throw, the error unused): the workflow carries on as if the step had ' +
            'worked, and nothing compensates. Rethrow it, or record it (progress.warn(…)) where carrying on is right.',
        });
      }
      // Promise.all(…) as a join: it rejects at the first failure while the other branches still run
      if (
        ts.isCallExpression(node) &&
        node.expression.getText(source).replace(/\s+/g, '') === 'Promise.all' &&
        node.arguments.length > 0
      ) {
        findings.push({
          kind: 'unguarded-join',
          ...where(file, node, source, root),
          message:
            'joins branches with Promise.all, which rejects at the first failure while the other branches are still ' +
            'running: undos that run then miss what those branches do, and their effects land after the compensation. ' +
            'Cancel the others and wait for every branch (Promise.allSettled in a CancellationScope) before throwing.',
        });
      }
      // throw new Error(...)
      if (ts.isThrowStatement(node) && node.expression && ts.isNewExpression(node.expression)) {
        const ctor = node.expression.expression.getText(source);
        if (ctor === 'Error' || ctor === 'TypeError') {
          findings.push({
            kind: 'plain-error',
            ...where(file, node, source, root),
            message: `throws a plain ${ctor} in workflow code. That fails the workflow *task*, which Temporal retries forever, so the order hangs. Throw ApplicationFailure.nonRetryable(message, type) to fail the workflow instead.`,
          });
        }
      }
      // const { a, b } = proxyActivities(...): remember the activity names
      if (ts.isVariableDeclaration(node) && node.initializer && ts.isCallExpression(node.initializer)) {
        const callee = node.initializer.expression.getText(source);
        if (callee.startsWith('proxyActivities') && ts.isObjectBindingPattern(node.name)) {
          for (const el of node.name.elements) asyncNames.add(el.name.getText(source));
        }
      }
      // retry: { … } without maximumAttempts
      if (
        ts.isPropertyAssignment(node) &&
        node.name.getText(source) === 'retry' &&
        ts.isObjectLiteralExpression(node.initializer)
      ) {
        const keys = node.initializer.properties.map((p) => p.name?.getText(source));
        // Compensations retry until they succeed on purpose; only forward steps need a limit.
        let owner: ts.Node | undefined = node.parent;
        while (owner && !ts.isVariableDeclaration(owner)) owner = owner.parent;
        const isCompensation =
          owner !== undefined && /compensat/i.test((owner as ts.VariableDeclaration).name.getText(source));
        if (!keys.includes('maximumAttempts') && !isCompensation) {
          findings.push({
            kind: 'unlimited-retries',
            ...where(file, node, source, root),
            message:
              'sets a retry policy without maximumAttempts, so an activity that always fails is retried forever and the order never ends. Set maximumAttempts on forward steps.',
          });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);

    // Second pass, now that activity names are known: calls whose promise is dropped.
    const floating = (node: ts.Node) => {
      if (ts.isExpressionStatement(node) && ts.isCallExpression(node.expression)) {
        const name = node.expression.expression.getText(source);
        // `runChild(…)` or `progress.runChild(…)`: the function's own name decides.
        if (asyncNames.has(name.split('.').pop() ?? name)) {
          findings.push({
            kind: 'missing-await',
            ...where(file, node, source, root),
            message: `calls ${name}(…) without await. The workflow does not wait for it: the next step starts at once and a failure is never seen. Write \`await ${name}(…)\`.`,
          });
        }
      }
      ts.forEachChild(node, floating);
    };
    floating(source);

    findings.push(...lateQueryHandlers(source, statusQueries, file, root));
  });
  return findings;
}

/** A catch that neither throws nor even looks at its error: the failure disappears. */
function droppedError(node: ts.Node, source: ts.SourceFile): ts.Node | undefined {
  const handler = catchHandler(node);
  if (!handler) return undefined;
  if (contains(handler.body, (n) => ts.isThrowStatement(n))) return undefined;
  const name = handler.error;
  if (name && contains(handler.body, (n) => ts.isIdentifier(n) && n.getText(source) === name)) return undefined;
  return handler.at;
}
