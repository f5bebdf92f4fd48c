/**
 * What a failed `status` query says about its cause. A workflow asked for a query it has no handler
 * for answers "Workflow did not register a handler for status. Registered queries: [a b c]", naming
 * every query it has at that moment: Temporal's built-in ones (`__stack_trace` …) and its own. When its
 * own are there under another name, the name is wrong; when only the built-in ones are, it had
 * registered none yet (or none at all).
 */

export interface UnknownQuery {
  /** The query that was asked for. */
  asked: string;
  /** The workflow's own queries, in the order the error lists them. */
  own: string[];
  /** Temporal's built-in queries (`__stack_trace`, `__enhanced_stack_trace`, …). */
  builtIn: string[];
}

/** The "no handler" answer, taken apart; undefined for any other error. */
export function unknownQuery(error: string): UnknownQuery | undefined {
  const m = /did not register a handler for (\S+?)\.? Registered queries: \[([^\]]*)\]/.exec(error);
  if (!m) return undefined;
  const registered = m[2].split(/[\s,]+/).filter(Boolean);
  return {
    asked: m[1],
    own: registered.filter((q) => !q.startsWith('__')),
    builtIn: registered.filter((q) => q.startsWith('__')),
  };
}

/**
 * When `error` says `who` registers queries of its own but none named as asked: the sentence that says
 * so, listing every query it registers. Undefined otherwise (another error, or no query of its own yet).
 */
export function wrongQueryName(who: string, error: string): string | undefined {
  const unknown = unknownQuery(error);
  if (!unknown?.own.length) return undefined;
  const builtIn = unknown.builtIn.length ? ` (and Temporal's own ${unknown.builtIn.join(', ')})` : '';
  return (
    `${who} has no query named '${unknown.asked}': it registers ${unknown.own.map((q) => `'${q}'`).join(', ')}${builtIn}. ` +
    `The name is wrong, not the timing: defineQuery('${unknown.asked}')`
  );
}

/** An error in one line, for a detail: the first line, without the SDK's long list of queries. */
export function queryErrorLine(error: string): string {
  const unknown = unknownQuery(error);
  if (unknown && !unknown.own.length) return `no handler for '${unknown.asked}' was registered`;
  return error.split('\n')[0];
}
