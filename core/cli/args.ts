// Flag parsing for verbs: node:util's parseArgs, with its errors turned into usage errors that
// suggest the nearest flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs returns for these options, named: node:util does not export the type, and
 * the build emits declarations (the SDK's types ship in dist/). */
type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>
>;

export function parseFlags<O extends Options>(
  args: string[],
  options: O,
  usage: string,
): Parsed<O> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const flag = /'(-{1,2}[^'\s]+)'/.exec(message)?.[1];
    if (flag && /Unknown option/.test(message)) {
      const known = Object.keys(options).map((o) => `--${o}`);
      const near = known.length > 0 ? closest(flag, known) : undefined;
      const hint = near && distance(flag, near) <= 3 ? `; did you mean ${near}?` : '';
      throw new UsageError(`unknown flag ${flag}${hint}`, usage);
    }
    throw new UsageError(message.split('\n')[0] ?? message, usage);
  }
}

/**
 * Flags before `--`, and the words of a remote command: positionals then everything after
 * `--` untouched, so `rune exec --machine 0 -- ls -la` never reads `-la` as Rune's flag.
 */
export function parseCommandLine<O extends Options>(
  args: string[],
  options: O,
  usage: string,
): { values: Parsed<O>['values']; words: string[] } {
  const split = args.indexOf('--');
  const parsed = parseFlags(split >= 0 ? args.slice(0, split) : args, options, usage);
  const words = split >= 0 ? [...parsed.positionals, ...args.slice(split + 1)] : parsed.positionals;
  return { values: parsed.values, words };
}

export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const near = closest(word, [...candidates]);
  return distance(word, near) <= Math.max(2, Math.floor(word.length / 3)) ? near : undefined;
}
