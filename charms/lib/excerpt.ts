// Command output quoted in an error or a status: the one way charms shorten it. Pure.

export interface ExcerptOptions {
  /** At most this many characters, then `…` (default 300). */
  limit?: number;
  /**
   * Quote only the last line matching this, when one does: the line that says what went wrong
   * (etcdctl logs its client retries as JSON lines before its one `Error: ...` line; curl and
   * snap end with theirs).
   */
  line?: RegExp;
}

/** `text` on one line (whitespace runs folded), shortened. */
export function excerpt(text: string, options: ExcerptOptions = {}): string {
  const { limit = 300, line } = options;
  const chosen =
    line === undefined
      ? undefined
      : text
          .split('\n')
          .filter((l) => line.test(l))
          .at(-1);
  const flat = (chosen ?? text).trim().replace(/\s+/g, ' ');
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

/** The last line of output that says anything. */
export const LAST_LINE = /\S/;
