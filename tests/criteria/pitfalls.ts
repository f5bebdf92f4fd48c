/**
 * What the grader can tell from the code itself, before anything runs: compile errors, and the
 * classic Temporal pitfalls (DESIGN §8), each with file:line and plain words.
 *
 * It loads the TypeScript compiler, so the grader runs it off the main thread (./static-check.ts).
 * Parsed files are kept between calls in one process: checking the next copy of a lesson parses only
 * that lesson's files, not the type definitions of Node and the Temporal SDK again.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export type FindingKind =
  | 'compile'
  | 'disallowed-import'
  | 'plain-error'
  | 'missing-await'
  | 'unlimited-retries'
  | 'retry-loop'
  | 'late-query-handler'
  | 'swallowed-error'
  | 'unguarded-join';

export interface Finding {
  kind: FindingKind;
  /** Relative to the repository root. */
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

export function listTs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
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

function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

// ---- type errors -----------------------------------------------------------------------------

/**
 * Source files kept across programs. Files under node_modules do not change while the grader runs;
 * every other file is compared by its text, so an edit is always seen.
 */
const sourceCache = new Map<string, { text: string; format: string; file: ts.SourceFile }>();

/**
 * Declaration files read as empty stand-ins: 10 of the 15 MB a lesson's program would parse (the
 * generated protobuf types behind the SDK, webpack's types behind the worker's options). Lesson code
 * never names them; with skipLibCheck, a type that referred to them becomes `any` and reports nothing,
 * so the lesson's own errors are the same, in half the time.
 */
const STAND_INS: [RegExp, string][] = [
  [
    /[\\/]@temporalio[\\/]proto[\\/]protos[\\/]root\.d\.ts$/,
    ['coresdk', 'temporal', 'google', 'grpc', 'nexusannotations']
      .map((n) => `export declare namespace ${n} {}`)
      .join('\n'),
  ],
  [/[\\/]webpack[\\/]types\.d\.ts$/, 'declare const webpack: any;\nexport = webpack;'],
];

function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const create = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreate) => {
    const standIn = STAND_INS.find(([pattern]) => pattern.test(fileName));
    if (standIn) return ts.createSourceFile(fileName, standIn[1], languageVersionOrOptions);
    const format = JSON.stringify(languageVersionOrOptions);
    const hit = sourceCache.get(fileName);
    const immutable = /[\\/]node_modules[\\/]/.test(fileName);
    if (hit && hit.format === format && immutable) return hit.file;
    const text = immutable ? undefined : host.readFile(fileName);
    if (hit && hit.format === format && text !== undefined && hit.text === text) return hit.file;
    const file = create(fileName, languageVersionOrOptions, onError, shouldCreate);
    if (file) sourceCache.set(fileName, { text: file.text, format, file });
    return file;
  };
  return host;
}

let lastProgram: ts.Program | undefined;

/** Type errors in the lesson's files, as file:line messages (at most 10). */
export function compileErrors(lessonDir: string, root: string): Finding[] {
  const configPath = path.join(root, 'tsconfig.json');
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
  // Lesson code needs Node's types, not the test runner's.
  const options = { ...config.options, noEmit: true, types: ['node'] };
  const rootNames = listTs(lessonDir);
  const program = ts.createProgram({ rootNames, options, host: cachingHost(options), oldProgram: lastProgram });
  lastProgram = program;
  // Only the lesson's own files are checked: what they import is checked where it lives.
  const diagnostics = rootNames.flatMap((file) => {
    const source = program.getSourceFile(file);
    return source ? [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)] : [];
  });
  return diagnostics.slice(0, 10).map((d) => {
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
    return {
      kind: 'compile' as const,
      file: path.relative(root, d.file!.fileName),
      line: line + 1,
      message: `does not compile: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`,
    };
  });
}

// ---- workflow code ---------------------------------------------------------------------------

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

/** The body and the error's name of a `catch (err) { … }` or a `.catch((err) => …)`, else undefined. */
function catchHandler(node: ts.Node): { at: ts.Node; body: ts.Node; error?: string } | undefined {
  if (ts.isCatchClause(node)) {
    return { at: node, body: node.block, error: node.variableDeclaration?.name.getText() };
  }
  if (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    node.expression.name.text === 'catch' &&
    node.arguments.length === 1
  ) {
    const handler = node.arguments[0];
    if (ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)) {
      return { at: node.expression.name, body: handler.body, error: handler.parameters[0]?.name.getText() };
    }
  }
  return undefined;
}

/**
 * A catch that is part of a retry (inside a loop, or one that calls its own function again): the
 * retry-loop finding covers it, and says what to do.
 */
function insideRetry(node: ts.Node, source: ts.SourceFile): boolean {
  for (let at = node.parent; at && !ts.isFunctionLike(at); at = at.parent) {
    if (ts.isIterationStatement(at, false)) return true;
  }
  const fn = enclosingFunction(node);
  const name = fn && functionName(fn, source);
  return !!name && !!contains(node, (n) => ts.isCallExpression(n) && n.expression.getText(source).endsWith(name));
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

// ---- activities ------------------------------------------------------------------------------

/** `services.payment.charge(…)`: a call on something reached through `services`. */
function isServicesCall(node: ts.Node, source: ts.SourceFile): boolean {
  return ts.isCallExpression(node) && /^services\s*\.\s*\w+\s*\.\s*\w+$/.test(node.expression.getText(source));
}

function contains(node: ts.Node, test: (n: ts.Node) => boolean): ts.Node | undefined {
  let found: ts.Node | undefined;
  const walk = (n: ts.Node) => {
    if (found) return;
    if (test(n)) found = n;
    else ts.forEachChild(n, walk);
  };
  walk(node);
  return found;
}

/** The name a function is known by: `reserveInventory` for a method or `name: async () => …`. */
function functionName(node: ts.Node, source: ts.SourceFile): string | undefined {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText(source);
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && node.parent) {
    const parent = node.parent;
    if ((ts.isPropertyAssignment(parent) || ts.isVariableDeclaration(parent)) && parent.name)
      return parent.name.getText(source);
  }
  return undefined;
}

function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  let current = node.parent;
  while (current && !ts.isFunctionLike(current)) current = current.parent;
  return current as ts.SignatureDeclaration | undefined;
}

/**
 * Retry loops inside activities: a loop (or a function calling itself) around a service call. The
 * activity then hides its failed calls from Temporal, which sees one attempt and cannot count, space
 * or cap the retries; lesson 02 removes exactly these loops.
 */
export function activityPitfalls(lessonDir: string, root: string): Finding[] {
  const file = path.join(lessonDir, 'activities.ts');
  if (!fs.existsSync(file)) return [];
  const source = parse(file);
  const findings: Finding[] = [];
  const serviceCallIn = (node: ts.Node) => contains(node, (n) => isServicesCall(n, source)) as ts.CallExpression;
  const reported = new Set<ts.Node>();
  const report = (node: ts.Node, key: ts.Node, subject: string, how: string, call: ts.CallExpression) => {
    if (reported.has(key)) return;
    reported.add(key);
    const service = call.expression.getText(source).replace(/\s+/g, '');
    findings.push({
      kind: 'retry-loop',
      ...where(file, node, source, root),
      message:
        `${subject}: ${how.replace('SERVICE', `${service}(…)`)} again after a failure, so Temporal sees one attempt ` +
        'and its retry policy cannot count, space or cap them. Call the service once and let the error escape.',
    });
  };
  const activity = (fn: ts.Node | undefined) =>
    `${(fn && functionName(fn, source)) ?? 'an activity'} retries inside the activity`;
  // Helpers that take a function and call it (like call(fn)): a loop there retries every service call
  // made through them.
  const helperRetries = new Map<string, ts.Node>();
  // A loop that catches failures and goes round again; a loop over items without a catch is not a retry.
  const catches = (node: ts.Node) =>
    contains(
      node,
      (n) =>
        ts.isTryStatement(n) ||
        (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'catch'),
    );
  const visit = (node: ts.Node) => {
    // An activity that catches its service's error and does not rethrow it reports success to Temporal.
    const handler = catchHandler(node);
    if (
      handler &&
      !contains(handler.body, (n) => ts.isThrowStatement(n)) &&
      !insideRetry(node, source) &&
      !reported.has(handler.at)
    ) {
      reported.add(handler.at);
      const fn = enclosingFunction(node);
      findings.push({
        kind: 'swallowed-error',
        ...where(file, handler.at, source, root),
        message:
          `${(fn && functionName(fn, source)) ?? 'an activity'} catches an error and does not rethrow it: the activity ` +
          'then reports success, Temporal never retries it, and the workflow carries on as if the step had worked ' +
          '(and a saga never undoes it). Let the error escape: callService already turns business errors into ' +
          'non-retryable failures.',
      });
    }
    if (ts.isIterationStatement(node, false) && catches(node.statement)) {
      const call = serviceCallIn(node.statement);
      const fn = enclosingFunction(node);
      if (call) report(node, fn ?? node, activity(fn), 'this loop calls SERVICE', call);
      else if (fn) {
        const params = new Set(fn.parameters.map((p) => p.name.getText(source)));
        const callsParam = contains(
          node.statement,
          (n) => ts.isCallExpression(n) && ts.isIdentifier(n.expression) && params.has(n.expression.text),
        );
        const name = functionName(fn, source);
        if (callsParam && name) helperRetries.set(name, node);
      }
    }
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const name = functionName(node, source);
      const call = serviceCallIn(node.body);
      const recursive =
        name &&
        contains(
          node.body,
          (n) =>
            ts.isCallExpression(n) &&
            ((ts.isIdentifier(n.expression) && n.expression.text === name) ||
              (ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === name)),
        );
      if (call && recursive && catches(node.body))
        report(recursive, node, activity(node), 'it calls itself, and so SERVICE,', call);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  // A retrying helper used with a service call: `call(() => services.inventory.reserve(input))`.
  const uses = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && helperRetries.has(node.expression.text)) {
      const call = node.arguments.map(serviceCallIn).find(Boolean);
      const loop = helperRetries.get(node.expression.text)!;
      const helper = node.expression.text;
      if (call)
        report(loop, loop, `${helper}() retries every service call made through it`, 'its loop calls SERVICE', call);
    }
    ts.forEachChild(node, uses);
  };
  uses(source);
  return findings;
}

/** Everything the code itself shows, most fundamental first: type errors, then pitfalls. */
export function staticFindings(lessonDir: string, root: string): Finding[] {
  return [
    ...compileErrors(lessonDir, root),
    ...workflowPitfalls(lessonDir, root),
    ...activityPitfalls(lessonDir, root),
  ];
}
