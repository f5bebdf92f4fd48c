/**
 * The starter's imports put back into a file after a reset restored some of its regions: a restored
 * region may use a name the learner's finished code no longer needed (and so removed from the import).
 * Import declarations are read from the syntax tree, so their layout (one line or many) does not matter.
 */
import ts from 'typescript';
import { moduleImports } from '../module-imports';

interface ImportDecl {
  text: string;
  module: string;
  typeOnly: boolean;
  names?: string[];
  start: number;
  end: number;
}

/** The `import … from '…'` declarations of `text` (not side-effect imports), where they are and what they name. */
function importsOf(text: string): ImportDecl[] {
  const source = ts.createSourceFile('imports.ts', text, ts.ScriptTarget.Latest);
  return moduleImports(source).flatMap(({ spec, node, typeOnly }) => {
    if (!ts.isImportDeclaration(node) || !node.importClause) return [];
    const { name, namedBindings } = node.importClause;
    // Names only for `import { a, b as c } from …`: a default or namespace import is taken as a whole.
    const named = !name && namedBindings && ts.isNamedImports(namedBindings) ? namedBindings : undefined;
    const start = node.getStart(source);
    return [
      {
        text: text.slice(start, node.end),
        module: spec,
        typeOnly,
        names: named?.elements.map((element) => element.getText(source)),
        start,
        end: node.end,
      },
    ];
  });
}

const localName = (spec: string) =>
  spec
    .replace(/^type\s+/, '')
    .split(/\s+as\s+/)
    .pop()!
    .trim();

/** Makes sure everything the starter imports is imported. */
export function mergeImports(text: string, starterText: string): string {
  let result = text;
  for (const wanted of importsOf(starterText)) {
    const have = importsOf(result).filter((d) => d.module === wanted.module && d.typeOnly === wanted.typeOnly);
    if (!have.length) {
      const last = importsOf(result).pop();
      const at = last ? last.end : 0;
      result = `${result.slice(0, at)}${last ? '\n' : ''}${wanted.text}${last ? '' : '\n'}${result.slice(at)}`;
      continue;
    }
    if (!wanted.names) continue;
    const named = have.find((d) => d.names);
    const present = new Set(have.flatMap((d) => (d.names ?? []).map(localName)));
    const missing = wanted.names.filter((n) => !present.has(localName(n)));
    if (!missing.length) continue;
    if (!named) {
      result = `${result.slice(0, have[0].end)}\n${wanted.text}${result.slice(have[0].end)}`;
      continue;
    }
    const names = [...named.names!, ...missing];
    const sorted = [...named.names!].sort((a, b) => localName(a).localeCompare(localName(b)));
    if (sorted.join() === named.names!.join()) names.sort((a, b) => localName(a).localeCompare(localName(b)));
    const typePrefix = named.typeOnly ? 'type ' : '';
    const single = `import ${typePrefix}{ ${names.join(', ')} } from '${named.module}';`;
    const replacement =
      single.length <= 120
        ? single
        : `import ${typePrefix}{\n${names.map((n) => `  ${n},`).join('\n')}\n} from '${named.module}';`;
    result = `${result.slice(0, named.start)}${replacement}${result.slice(named.end)}`;
  }
  return result;
}
