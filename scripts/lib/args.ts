/**
 * A small, strict command-line parser: every flag is declared, unknown flags and bad values are
 * refused with a message that names them, and `--help` prints the usage.
 */
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

export function parseArgs<S extends Record<string, FlagSpec>>(
  argv: string[],
  spec: S,
): ParsedArgs<S> & { help?: boolean } {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--help' || token === '-h') {
      out.help = true;
      continue;
    }
    if (!token.startsWith('--')) throw new UsageError(`unexpected argument "${token}" (flags start with --)`);
    const [rawName, inlineValue] = token.slice(2).split(/=(.*)/s, 2);
    const flag = spec[rawName];
    if (!flag) throw new UsageError(`unknown option --${rawName}`);
    if (flag.type === 'boolean') {
      if (inlineValue !== undefined) throw new UsageError(`--${rawName} takes no value`);
      out[rawName] = true;
      continue;
    }
    const value = inlineValue ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new UsageError(`--${rawName} needs a value`);
    if (flag.choices && !flag.choices.includes(value)) {
      throw new UsageError(`--${rawName} must be one of ${flag.choices.join(', ')} (got "${value}")`);
    }
    if (flag.type === 'int') {
      if (!/^-?\d+$/.test(value)) throw new UsageError(`--${rawName} must be a whole number (got "${value}")`);
      const n = Number(value);
      if (flag.min !== undefined && n < flag.min) {
        throw new UsageError(`--${rawName} must be at least ${flag.min} (got ${value})`);
      }
      if (flag.max !== undefined && n > flag.max) {
        throw new UsageError(`--${rawName} must be at most ${flag.max} (got ${value})`);
      }
      out[rawName] = n;
    } else {
      out[rawName] = value;
    }
  }
  return out as ParsedArgs<S> & { help?: boolean };
}

export { runMain } from '../../common/cli';
