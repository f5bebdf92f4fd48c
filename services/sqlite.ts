/**
 * Node's built-in SQLite (`node:sqlite`): nothing to compile on install, nothing native to crash at
 * exit. On Node 22 loading it prints "ExperimentalWarning: SQLite is an experimental feature"; that
 * one warning, and only it, is silenced here (Node 24 and later print none).
 */
function loadSqlite(): typeof import('node:sqlite') {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    const name = typeof warning === 'string' ? type : warning.name;
    if (name === 'ExperimentalWarning' && /SQLite/.test(text)) return;
    return (emitWarning as (...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('node:sqlite') as typeof import('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

let sqliteModule: typeof import('node:sqlite') | undefined;

/**
 * Loaded on first use, not when this module is imported: on a Node.js without `node:sqlite` (20 and
 * older) a command still starts, and its version check says what to install instead of a stack trace.
 */
export function sqlite(): typeof import('node:sqlite') {
  sqliteModule ??= loadSqlite();
  return sqliteModule;
}
