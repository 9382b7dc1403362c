// The one way the local provider waits (STYLE.md practice 5): poll a condition until it holds or
// a deadline passes; the timeout error names what was awaited. Never a fixed sleep.
import { WaitTimeoutError } from './errors.js';

export interface WaitOptions {
  /** What is awaited, for the timeout error: "sshd on 10.4.0.2:22". */
  what: string;
  timeoutMs: number;
  /** Pause between polls; grows ×1.5 up to 8× this. */
  intervalMs?: number;
  now?: () => number;
}

/** Resolves with the first non-undefined value `poll` returns; a throw from `poll` ends the wait. */
export async function waitFor<T>(
  poll: () => Promise<T | undefined> | T | undefined,
  options: WaitOptions,
): Promise<T> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutMs;
  const base = options.intervalMs ?? 10;
  let interval = base;
  for (;;) {
    const value = await poll();
    if (value !== undefined) return value;
    if (now() >= deadline) throw new WaitTimeoutError(options.what, options.timeoutMs);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.min(interval, Math.max(0, deadline - now()))),
    );
    interval = Math.min(interval * 1.5, base * 8);
  }
}
