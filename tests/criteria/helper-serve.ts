/**
 * The inside of a ./helper.ts process: loads one module (named by the first argument) and answers
 * calls to its exported functions, one at a time. It exits when the process that started it goes away.
 */
const modulePath = process.argv[2];
// eslint-disable-next-line @typescript-eslint/no-require-imports
const exported = require(modulePath) as Record<string, (...args: unknown[]) => unknown>;

async function answer(request: { id: number; fn: string; args: unknown[] }): Promise<void> {
  try {
    const fn = exported[request.fn];
    if (typeof fn !== 'function') throw new Error(`${modulePath} exports no function ${request.fn}`);
    process.send!({ id: request.id, value: await fn(...request.args) });
  } catch (err) {
    process.send!({ id: request.id, error: err instanceof Error ? err.message : String(err) });
  }
}

process.on('message', (request: { id: number; fn: string; args: unknown[] }) => void answer(request));
process.on('disconnect', () => process.exit(0));
