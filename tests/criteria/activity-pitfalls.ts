/**
 * Pitfalls in a lesson's activities (activities.ts): retry loops around a service call, and errors
 * caught and not rethrown. Both hide failures from Temporal, whose retry policy is the one that should
 * retry.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Finding } from './pitfalls';
import { catchHandler, contains, enclosingFunction, functionName, parse, where } from './source';

/** `services.payment.charge(…)`: a call on something reached through `services`. */
function isServicesCall(node: ts.Node, source: ts.SourceFile): boolean {
  return ts.isCallExpression(node) && /^services\s*\.\s*\w+\s*\.\s*\w+$/.test(node.expression.getText(source));
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
