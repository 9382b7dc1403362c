// RSA keys generated ahead of need. An RSA 2048 key takes 100-300 ms of CPU to generate here,
// and every certificate needs a fresh one, so a CA answering three requests would otherwise sit
// on the critical path of a deploy for most of a second. The charm is loaded when its
// application is deployed, while the machines are still being made: keys generated from then on
// are ready when the first requests arrive. Keys live only in this process's memory, each is
// handed out once, and a key never handed out is never written anywhere.
import { type RsaKeyPair, newRsaKeyPair } from './pki.js';

/** Keys kept ready: a CA, its client certificate and a three-unit cluster's server keys. */
const SPARE = 5;
/** Generated at once, in the background: one per core of a small host, so the thread pool
 * keeps room for the file system work of hooks running meanwhile. */
const AT_ONCE = 2;

const ready: RsaKeyPair[] = [];
/** Callers that found no key ready: served first, in order, as keys come out of generation. */
const waiting: { resolve(key: RsaKeyPair): void; reject(error: unknown): void }[] = [];
let generating = 0;

function refill(): void {
  // Waiting callers may use every thread they need; spares only AT_ONCE.
  const limit = Math.max(AT_ONCE, waiting.length);
  while (generating < limit && ready.length + generating < SPARE + waiting.length) {
    generating += 1;
    newRsaKeyPair().then(
      (key) => {
        generating -= 1;
        const caller = waiting.shift();
        if (caller !== undefined) caller.resolve(key);
        else ready.push(key);
        refill();
      },
      (error: unknown) => {
        // Generation fails only short of memory: the caller hears of it, no retry loop.
        generating -= 1;
        waiting.shift()?.reject(error);
      },
    );
  }
}

/** A fresh key, never handed out before: a spare one when ready, else the next one made. */
export function takeKey(): Promise<RsaKeyPair> {
  const key = ready.shift();
  if (key !== undefined) {
    refill();
    return Promise.resolve(key);
  }
  const next = new Promise<RsaKeyPair>((resolve, reject) => waiting.push({ resolve, reject }));
  refill();
  return next;
}

/** Starts generating spare keys (the charm's module calls this when it loads). */
export function warmKeys(): void {
  refill();
}
