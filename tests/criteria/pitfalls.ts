/**
 * What the grader can tell from the code itself, before anything runs: compile errors, and the
 * classic Temporal pitfalls in workflow code (DESIGN §8), each with file:line and plain words.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface Finding {
  kind: 'compile' | 'disallowed-import' | 'plain-error' | 'missing-await' | 'unlimited-retries';
  file: string;
  line: number;
  message: string;
}

const NODE_BUILTINS = new Set([
  'fs',
  'path',
  'os',
  'crypto',
  'child_process',
  'http',
  'https',
  'net',
  'dns',
  'stream',
  'worker_threads',
  'cluster',
  'zlib',
  'util',
  'events',
]);

function listTs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listTs(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

function where(file: string, node: ts.Node, source: ts.SourceFile, root: string) {
  return {
    file: path.relative(root, file),
    line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
  };
}

/** Type errors in the lesson's files, as file:line messages. */
export function compileErrors(lessonDir: string, root: string): Finding[] {
  const configPath = path.join(root, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
  const program = ts.createProgram(listTs(lessonDir), { ...config.options, noEmit: true });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && path.resolve(d.file.fileName).startsWith(lessonDir))
    .slice(0, 10)
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return {
        kind: 'compile' as const,
        file: path.relative(root, d.file!.fileName),
        line: line + 1,
        message: `does not compile: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
      };
    });
}

/** Pitfalls in the files under `<lessonDir>/workflows` (workflow code runs in a deterministic sandbox). */
export function workflowPitfalls(lessonDir: string, root: string): Finding[] {
  const findings: Finding[] = [];
  for (const file of listTs(path.join(lessonDir, 'workflows'))) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const asyncNames = new Set(['executeChild', 'startChild', 'runChild', 'runTracked', 'sleep', 'condition']);

    const visit = (node: ts.Node) => {
      // import fs from 'fs' / import { createActivities } from '../activities' (without `import type`)
      if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
        const spec = node.moduleSpecifier.text;
        const typeOnly = node.importClause?.isTypeOnly ?? false;
        const bare = spec.replace(/^node:/, '');
        if (spec.startsWith('node:') || NODE_BUILTINS.has(bare)) {
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
              'sets a retry policy without maximumAttempts, so an activity that always fails is retried forever and the order never compensates. Set maximumAttempts on forward steps.',
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
  }
  return findings;
}
