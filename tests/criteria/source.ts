/**
 * A lesson's TypeScript source as the analysers read it: its files, parsed with the compiler, and the
 * questions they ask of a syntax tree (where a node is, what a function is called, what a catch does).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Every .ts file under `dir`, in a stable order. */
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

/** The file and line of `node`, for a finding. */
export function where(file: string, node: ts.Node, source: ts.SourceFile, root: string) {
  return {
    file: path.relative(root, file),
    line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
  };
}

export function parse(file: string): ts.SourceFile {
  return ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
}

/** The first node under `node` (itself included) that passes `test`. */
export function contains(node: ts.Node, test: (n: ts.Node) => boolean): ts.Node | undefined {
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
export function functionName(node: ts.Node, source: ts.SourceFile): string | undefined {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) return node.name.getText(source);
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && node.parent) {
    const parent = node.parent;
    if ((ts.isPropertyAssignment(parent) || ts.isVariableDeclaration(parent)) && parent.name)
      return parent.name.getText(source);
  }
  return undefined;
}

export function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  let current = node.parent;
  while (current && !ts.isFunctionLike(current)) current = current.parent;
  return current as ts.SignatureDeclaration | undefined;
}

/** The body and the error's name of a `catch (err) { … }` or a `.catch((err) => …)`, else undefined. */
export function catchHandler(node: ts.Node): { at: ts.Node; body: ts.Node; error?: string } | undefined {
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
