// RSA keys generated ahead of need. An RSA 2048 key takes 80-400 ms of CPU to generate here,
// and every certificate needs a fresh one, so a CA answering three requests would otherwise sit
// on the critical path of a deploy for most of a second. The controller warms the charm
// (`warm: warmKeys`) when its application is deployed, while the machines are still being made:
// keys generated from then on are ready when the first requests arrive. Importing this module
// starts nothing. Keys live only in this process's memory, each is handed out once, and a key
// never handed out is never written anywhere.
import { availableParallelism } from 'node:os';
import { type RsaKeyPair, newRsaKeyPair } from './pki.js';

/** Keys kept ready: a CA, its client certificate and a three-unit cluster's server keys. */
const SPARE = 5;
/** Spares generated at once, in the background: one per core of a small host, so the thread
 * pool keeps room for the file system work of hooks running meanwhile. */
const AT_ONCE = 2;
/**
 * A key taken is replaced only once no key has been asked for this long. Requests come in bursts
 * (a deploy, an add-unit): replacing keys during one would spend the CPU its hooks are waiting
 * for on keys nobody has asked for yet (measured: 1.5 s of CPU in a 3.5 s etcd deploy on 2 cores).
 */
export const QUIET_MS = 5_000;

const ready: RsaKeyPair[] = [];
/** Callers that found no key ready: served first, in order, as keys come out of generation. */
const waiting: { resolve(key: RsaKeyPair): void; reject(error: unknown): void }[] = [];
let generating = 0;
let lastTake = Number.NEGATIVE_INFINITY;
/** Keys taken since the pool was last quiet: not replaced until it is quiet again. */
let takenInBurst = 0;
let quietTimer: NodeJS.Timeout | undefined;

function generate(): void {
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

function refill(): void {
  // Every waiting caller has a key in generation, however many ask at once; and while anyone
  // waits, every core generates. The time to an RSA key is a prime search with a long tail
  // (80-400 ms here): with two racing, a lone caller waits for the faster, and the other key
  // is a spare.
  const racing = waiting.length > 0 ? Math.max(waiting.length, availableParallelism()) : 0;
  while (generating < racing) generate();
  const quietFor = Date.now() - lastTake;
  if (quietFor >= QUIET_MS) takenInBurst = 0;
  else {
    quietTimer ??= setTimeout(() => {
      quietTimer = undefined;
      refill();
    }, QUIET_MS - quietFor).unref();
  }
  const spares = SPARE - takenInBurst + waiting.length;
  while (generating < AT_ONCE && ready.length + generating < spares) generate();
}

/** A key handed out: it starts or prolongs a burst, during which no spare replaces it. */
function handedOut(): void {
  lastTake = Date.now();
  takenInBurst += 1;
}

/**
 * A spare key if one is ready now, else undefined (nothing is waited for). A CA answering a
 * burst of requests signs what it has keys for and leaves the rest to the requester's own hook.
 */
export function readyKey(): RsaKeyPair | undefined {
  const key = ready.shift();
  if (key === undefined) return undefined;
  handedOut();
  refill();
  return key;
}

/** A fresh key, never handed out before: a spare one when ready, else the next one made. */
export function takeKey(): Promise<RsaKeyPair> {
  const key = readyKey();
  if (key !== undefined) return Promise.resolve(key);
  handedOut();
  const next = new Promise<RsaKeyPair>((resolve, reject) => waiting.push({ resolve, reject }));
  refill();
  return next;
}

/** Starts generating spare keys, up to the pool's size; idempotent. Nothing is generated
 * before this or a take: importing the pool costs nothing. */
export function warmKeys(): void {
  refill();
}

/** How many spare keys are ready and how many are being generated (for tests). */
export function spareKeys(): { ready: number; generating: number } {
  return { ready: ready.length, generating };
}
