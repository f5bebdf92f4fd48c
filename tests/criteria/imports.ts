/**
 * What a module pulls in through its relative imports (the modules a file names come from
 * common/kit/module-imports.ts): the caches (./bundle.ts, ./static-check.ts) ask which files a
 * result depends on.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { moduleImports } from '../../common/kit/module-imports';

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
