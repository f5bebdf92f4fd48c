/**
 * What a TypeScript file imports, read from its syntax tree (the compiler's parser, so comments,
 * strings and line breaks never fool it), and what a module pulls in through its relative imports.
 * The grader asks both: the pitfalls (./workflow-pitfalls.ts) which modules workflow code imports, the
 * caches (./bundle.ts, ./static-check.ts) which files a result depends on.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ModuleImport {
  /** The module as written: './activities', 'node:fs', '@temporalio/workflow'. */
  spec: string;
  /** The import or export declaration, or the require(…) / import(…) call. */
  node: ts.Node;
  /** Erased by the compiler: `import type …`, `export type … from`. */
  typeOnly: boolean;
}

/** Every module `source` names: declarations, side-effect imports, require(…) and dynamic import(…). */
export function moduleImports(source: ts.SourceFile): ModuleImport[] {
  const found: ModuleImport[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = node.importClause?.isTypeOnly ?? false;
      found.push({ spec: node.moduleSpecifier.text, node, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ spec: node.moduleSpecifier.text, node, typeOnly: node.isTypeOnly });
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      const spec = node.moduleReference.expression.text;
      found.push({ spec, node, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ spec: node.arguments[0].text, node, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The modules `file` (with `text`) imports as values: what a bundler would load after type erasure. */
export function valueImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
  return moduleImports(source)
    .filter((found) => !found.typeOnly)
    .map((found) => found.spec);
}

/** The file a relative `spec` imported from `from` names, as Node and the bundler resolve it. */
export function resolveLocal(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, `${base}.tsx`, `${base}.js`, path.join(base, 'index.ts'), base]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * What `entry` and every local file it imports as values (transitively) contain, as the parts of a
 * content key (./cache.ts): each file by its path relative to `base` and its text, each package by
 * name, and what is missing or cannot be resolved. Type-only imports are left out: the compiler erases
 * them, so they cannot change what runs.
 */
export function importedContent(entry: string, base: string): string[] {
  const parts: string[] = [];
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    if (seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      parts.push('missing', path.relative(base, file));
      continue;
    }
    parts.push('file', path.relative(base, file), text);
    for (const spec of valueImports(file, text)) {
      if (!spec.startsWith('.')) {
        parts.push('package', spec);
        continue;
      }
      const resolved = resolveLocal(file, spec);
      if (resolved) queue.push(resolved);
      else parts.push('unresolved', spec);
    }
  }
  return parts;
}
