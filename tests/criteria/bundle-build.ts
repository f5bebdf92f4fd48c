/**
 * Builds one workflow bundle (./bundle.ts runs this in a thread of its own and caches the result).
 * The bundler's own report is kept out of the output: a failure is summed up in one line instead.
 */
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** Why bundling failed, in one line instead of the bundler's screenful. */
function bundleError(err: unknown, logged: string[]): Error {
  const message = err instanceof Error ? err.message : String(err);
  const disallowed = [...message.matchAll(/^\s+- '([^']+)'$/gm)].map((m) => m[1]);
  if (disallowed.length) {
    return new Error(`the workflow bundle imports modules a workflow cannot use: ${disallowed.join(', ')}`);
  }
  // Webpack's report: "ERROR in <module>" followed by what went wrong, then a stack and "@ <importer>" lines.
  const report = logged.join('\n').split('\n');
  const at = report.findIndex((line) => /^ERROR in /.test(line));
  if (at >= 0) {
    const module = report[at].replace(/^ERROR in /, '').trim();
    const importer = report.slice(at).find((line) => /^ @ /.test(line));
    const why = (report[at + 1] ?? '').replace(/^Module (build|not) (failed|found):\s*/, '').trim();
    const from = importer ? ` (imported by ${importer.replace(/^ @ (\.\/)?/, '').split(' ')[0]})` : '';
    if (/^node:|UnhandledSchemeError/.test(`${module} ${why}`)) {
      return new Error(`the workflow bundle imports ${module}${from}, which a workflow cannot use`);
    }
    return new Error(`the workflows could not be bundled: ${module}${from}: ${why}`);
  }
  return new Error(`the workflows could not be bundled: ${message.split('\n')[0]}`);
}

export async function buildBundle(workflowsDir: string): Promise<WorkflowBundleWithSourceMap> {
  const logged: string[] = [];
  try {
    return await bundleWorkflowCode({
      workflowsPath: workflowsDir,
      logger: new DefaultLogger('WARN', (entry) => logged.push(entry.message)),
    });
  } catch (err) {
    throw bundleError(err, logged);
  }
}
