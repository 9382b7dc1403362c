// The controller's event bus (DESIGN §2): a generation number bumped whenever something `rune
// status` or pending() could show has changed, so a waiter wakes on the change instead of polling.
// Emitting must stay cheap: it runs inside store writes, so it only counts and notifies.
import { EventEmitter } from 'eventemitter3';

interface ModelEventTypes {
  /** The model changed; the payload is the new generation. Carries no detail on purpose:
   * listeners re-read what they show (level-triggered, DESIGN §2). */
  change: [generation: number];
  /** The controller is stopping: waiters answer now instead of holding shutdown up. */
  close: [];
}

export class ModelEvents extends EventEmitter<ModelEventTypes> {
  private current = 0;
  private closed = false;

  get generation(): number {
    return this.current;
  }

  bump(): void {
    this.emit('change', ++this.current);
  }

  /**
   * Resolves with the generation once it differs from `after`, or with the current one when
   * `timeoutMs` passes, `signal` aborts or the bus closes. `after` is -1 to learn the current
   * generation without waiting.
   */
  nextChange(after: number, timeoutMs: number, signal?: AbortSignal): Promise<number> {
    // "Differs", not "exceeds": an `after` this process never issued (the client saw a previous
    // controller run) means the client knows nothing current, so it is answered at once.
    if (after !== this.current || this.closed || timeoutMs <= 0 || signal?.aborted) {
      return Promise.resolve(this.current);
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.off('change', done);
        this.off('close', done);
        signal?.removeEventListener('abort', done);
        resolve(this.current);
      };
      // Unreferenced: an open long-poll must never be what keeps a stopping controller alive.
      const timer = setTimeout(done, timeoutMs).unref();
      this.on('change', done);
      this.on('close', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Answers every waiter now, and every later one at once. */
  close(): void {
    this.closed = true;
    this.emit('close');
  }
}
