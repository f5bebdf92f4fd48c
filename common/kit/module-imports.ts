/**
 * Every module a TypeScript file names, read from its syntax tree (the compiler's parser, so comments,
 * strings and line breaks never fool it). `npm run reset` merges a starter's imports back with it
 * (./reset/merge-imports.ts); the grader asks it which modules workflow code imports and what a result
 * depends on (tests/criteria/workflow-pitfalls.ts, tests/criteria/imports.ts).
 */
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
