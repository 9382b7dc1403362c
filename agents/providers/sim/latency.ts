// The sim's latency model (DESIGN §4): each machine call waits fixed ± jitter milliseconds, drawn
// from a seeded RNG so two runs with one seed wait the same. Waiting goes through an injected
// sleep, so tests never wait in real time (STYLE.md practice 5).

export interface LatencyModel {
  /** Milliseconds every call waits. */
  fixedMs: number;
  /** Up to this much more or less, uniformly (the result never goes below 0). */
  jitterMs: number;
}

/** ~ one short command on Rune's persistent shell session to a nearby host (DESIGN §5: ~2 ms). */
export const DEFAULT_LATENCY: LatencyModel = { fixedMs: 1, jitterMs: 0.5 };

export type Sleep = (ms: number) => Promise<void>;

/** Real waiting; sub-millisecond delays still cost one timer turn, as Node's timers do. */
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** mulberry32: small, fast and seedable; its quality is ample for jitter. Returns [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The next delay: fixed plus a uniform draw in [-jitter, +jitter), never negative. */
export function drawDelay(model: LatencyModel, random: () => number): number {
  return Math.max(0, model.fixedMs + (random() * 2 - 1) * model.jitterMs);
}
