// A background task on a timer (the health loop, the store member's keeper): a run still going
// when the next is due is not started twice. The timer never keeps the process alive.

/** Runs `task` every `everyMs` until the returned function is called. `task` reports its own
 * failures: a rejection is not caught here. */
export function repeatEvery(everyMs: number, task: () => Promise<unknown>): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void task().finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
