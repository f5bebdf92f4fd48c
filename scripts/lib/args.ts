/**
 * The commands' flags, on Node's own parser (`node:util` parseArgs: strict, no positional arguments):
 * every flag is declared, unknown flags and bad values are refused with one line that names them, and
 * `--help` prints the usage. On top of Node's parser only the kit's own checks: a flag's choices, and
 * whole numbers within bounds.
 */
import { parseArgs as parseNodeArgs } from 'node:util';
import { KitError } from '../../services/errors';

export interface FlagSpec {
  /** 'boolean' flags take no value; the others take one. */
  type: 'boolean' | 'string' | 'int';
  description: string;
  choices?: readonly string[];
  min?: number;
  max?: number;
}

/** A flag or a value the command cannot take; the message names it. */
export class UsageError extends KitError {}

export type ParsedArgs<S extends Record<string, FlagSpec>> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['type'] extends 'int' ? number : string;
};

/** Node's declaration of the flags: an int is a string to Node, checked here afterwards. */
type NodeOptions = Record<string, { type: 'boolean' | 'string'; short?: string }>;

export function usage(command: string, summary: string, spec: Record<string, FlagSpec>): string {
  const lines = [`Usage: ${command} [options]`, '', summary, '', 'Options:'];
  for (const [name, flag] of Object.entries(spec)) {
    const value =
      flag.type === 'boolean'
        ? ''
        : flag.choices
          ? ` <${flag.choices.join('|')}>`
          : flag.type === 'int'
            ? ' <n>'
            : ' <value>';
    lines.push(`  --${name}${value}`.padEnd(34) + flag.description);
  }
  lines.push('  --help'.padEnd(34) + 'show this help');
  return lines.join('\n');
}

/**
 * A command's flags, from its command line; undefined when it asked for --help, whose usage this prints
 * (the command then ends with 0).
 */
export function commandArgs<S extends Record<string, FlagSpec>>(
  command: string,
  summary: string,
  spec: S,
): ParsedArgs<S> | undefined {
  const args = parseArgs(process.argv.slice(2), spec);
  if (!args.help) return args;
  console.log(usage(command, summary, spec));
  return undefined;
}

export function parseArgs<S extends Record<string, FlagSpec>>(
  argv: string[],
  spec: S,
): ParsedArgs<S> & { help?: boolean } {
  const options: NodeOptions = { help: { type: 'boolean', short: 'h' } };
  for (const [name, flag] of Object.entries(spec))
    options[name] = { type: flag.type === 'boolean' ? 'boolean' : 'string' };
  let parsed;
  try {
    parsed = parseNodeArgs({ args: argv, options, strict: true, allowPositionals: false, tokens: true });
  } catch (err) {
    throw refusal(err, argv, options);
  }
  // Node lets a lone `--` (the end of the options) through when nothing follows it; no command takes
  // anything after it, so it is refused like any other stray token.
  if (parsed.tokens.some((token) => token.kind === 'option-terminator')) throw new UsageError('unknown option --');
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(parsed.values)) {
    out[name] = typeof value === 'string' ? checkedValue(name, spec[name], value) : value;
  }
  return out as ParsedArgs<S> & { help?: boolean };
}

/** The kit's own checks of a flag's value: one of its choices, a whole number within its bounds. */
function checkedValue(name: string, flag: FlagSpec, value: string): string | number {
  if (flag.choices && !flag.choices.includes(value)) {
    throw new UsageError(`--${name} must be one of ${flag.choices.join(', ')} (got "${value}")`);
  }
  if (flag.type !== 'int') return value;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number (got "${value}")`);
  const n = Number(value);
  if (flag.min !== undefined && n < flag.min)
    throw new UsageError(`--${name} must be at least ${flag.min} (got ${value})`);
  if (flag.max !== undefined && n > flag.max)
    throw new UsageError(`--${name} must be at most ${flag.max} (got ${value})`);
  return n;
}

/**
 * Node's refusal (its error code says what kind) as the kit's one line. Node names the offending token
 * only inside its message, so the same arguments are read again leniently, and the first token of that
 * kind is the one Node refused.
 */
function refusal(err: unknown, argv: string[], options: NodeOptions): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) return err;
  const unexpected = (index: number) => new UsageError(`unexpected argument "${argv[index]}" (flags start with --)`);
  const { tokens } = parseNodeArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      if (token.kind === 'option-terminator') return new UsageError('unknown option --');
      if (token.kind === 'positional') return unexpected(token.index);
    }
    if (token.kind !== 'option') continue;
    const declared = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && !declared) {
      // A single dash (`-x`, `-5`) is not a flag of this kit at all.
      return token.rawName.startsWith('--')
        ? new UsageError(`unknown option --${token.name}`)
        : unexpected(token.index);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && declared) {
      if (declared.type === 'boolean' && token.inlineValue) return new UsageError(`--${token.name} takes no value`);
      if (declared.type === 'string') {
        const value = token.value;
        if (value === undefined || value.startsWith('--')) return new UsageError(`--${token.name} needs a value`);
        // Strict, Node takes `--order -x` for a value forgotten before another flag; after '=' it is a value.
        if (!token.inlineValue && value.startsWith('-')) {
          return new UsageError(
            `--${token.name} needs a value; to give one that starts with "-", write --${token.name}=${value}`,
          );
        }
      }
    }
  }
  return new UsageError((err as Error).message.split('\n')[0]);
}
