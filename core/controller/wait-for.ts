// The only way Rune waits (STYLE.md practice 5): poll a condition until it holds or a deadline
// passes; the timeout error names what was awaited, so a hang is never silent.
import { setTimeout as delay } from 'node:timers/promises';
import { RuneError } from '../model/errors.js';

export class WaitTimeoutError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastProblem?: string,
  ) {
    super(
      `timed out after ${(timeoutMs / 1000).toFixed(1)} s waiting for ${what}` +
        (lastProblem ? ` (last: ${lastProblem})` : ''),
    );
  }
}

export interface WaitOptions {
  timeoutMs: number;
  /** Between polls; doubles up to 8x this value so slow conditions cost little. */
  intervalMs?: number;
  signal?: AbortSignal;
  /**
   * How to spend the time between two checks, at most `ms` (the interval, cut to the deadline);
   * by default a timer. A caller that can be told of a change (the controller's /changes
   * long-poll) returns as soon as one happens. Must not throw but on abort.
   */
  pause?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Resolves with the first truthy value of `check`; a thrown error counts as "not yet". */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const base = options.intervalMs ?? 20;
  let interval = base;
  let lastProblem: string | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      lastProblem = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(what, options.timeoutMs, lastProblem);
    const ms = Math.min(interval, Math.max(deadline - Date.now(), 1));
    if (options.pause) await options.pause(ms, options.signal);
    else await delay(ms, undefined, { signal: options.signal });
    interval = Math.min(interval * 2, base * 8);
  }
}
