// `--watch`: render again every interval and show the result only when it changed (a terminal
// is cleared first, as `watch` does; a pipe gets each new rendering after a blank line).
import { setTimeout as delay } from 'node:timers/promises';
import type { Io } from './io.js';

export interface WatchOptions {
  intervalMs: number;
  signal: AbortSignal;
  /** Clear the screen before each rendering (a terminal). */
  clear: boolean;
}

export async function watch(
  render: () => Promise<string>,
  io: Io,
  options: WatchOptions,
): Promise<void> {
  let last: string | undefined;
  while (!options.signal.aborted) {
    const text = await render();
    if (text !== last) {
      if (options.clear) io.outRaw(Buffer.from('\x1b[2J\x1b[H'));
      else if (last !== undefined) io.out('');
      io.out(text);
      last = text;
    }
    await delay(options.intervalMs, undefined, { signal: options.signal }).catch(() => undefined);
  }
}
