// Flag parsing for verbs: node:util's parseArgs, with its errors turned into usage errors that
// suggest the nearest flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { UsageError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(args: string[], options: O, usage: string) {
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

export function suggest(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const near = closest(word, [...candidates]);
  return distance(word, near) <= Math.max(2, Math.floor(word.length / 3)) ? near : undefined;
}
