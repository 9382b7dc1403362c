// `deploy --wait` when the controller dies during the deploy request itself (issue 15 item 8):
// bring it back, let it finish the deploy it journaled, then send the deploy once more, which
// changes nothing if that finished it and does it if the controller died before recording it.
import type { ApiClient } from '../controller/api-client.js';
import { ControllerUnreachableError } from '../controller/errors.js';
import { waitFor } from '../controller/wait-for.js';
import type { Io } from './io.js';

export interface SeenThrough<T> {
  answer: T;
  /** Whether the controller was lost on the way (the answer is then the last send's). */
  resent: boolean;
}

/**
 * Sends the deploy; while the controller is lost during it (and `timeoutMs` has not passed),
 * `reconnect`s, waits for the restarted controller to have no deploy under way, and sends again.
 */
export async function deployThrough<T>(
  client: ApiClient,
  io: Io,
  send: () => Promise<T>,
  options: { timeoutMs: number; reconnect: () => Promise<void> },
): Promise<SeenThrough<T>> {
  const deadline = Date.now() + options.timeoutMs;
  const told = new Set<string>();
  const reconnect = () =>
    options.reconnect().catch((problem: unknown) => {
      // Silent (stopped, hung) or not starting: said once, and waited on until the timeout.
      const line = problem instanceof Error ? problem.message : String(problem);
      if (!told.has(line)) io.err(`rune: ${line}\n(still waiting)`);
      told.add(line);
    });
  for (let resent = false; ; resent = true) {
    try {
      return { answer: await send(), resent };
    } catch (e) {
      if (!(e instanceof ControllerUnreachableError) || Date.now() >= deadline) throw e;
      io.err(
        `Lost controller "${client.controller}" during the deploy (${e.reason}): ` +
          'waiting for it to come back and finish it.',
      );
    }
    // Sending again while the restarted controller still resumes the old deploy would plan both
    // against the same model and make machines twice: its journal says when it is done.
    await waitFor(
      `controller "${client.controller}" to finish the deploy it resumed`,
      async () => {
        try {
          return !(await client.pending()).deploying;
        } catch (e) {
          if (e instanceof ControllerUnreachableError) await reconnect();
          throw e;
        }
      },
      { timeoutMs: Math.max(deadline - Date.now(), 1), intervalMs: 250 },
    );
  }
}
