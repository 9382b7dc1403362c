// Sealing store values at rest (issue 15 item 6): AES-256-GCM with a random 96-bit nonce per
// value, written as `enc1:<key id>:<base64 of nonce, ciphertext, tag>`, so a copied store.db
// shows neither the value nor whether two values are equal, and a rotation can tell which key
// sealed what. Knows nothing of tables; sealed-columns.ts says which values go through here.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { StoreDecryptError } from './errors.js';
import type { StoreKey } from './store-key.js';

const PREFIX = 'enc1:';
const ID_LENGTH = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Nonces drawn this many at a time: one randomBytes call costs as much as an encryption. */
const NONCE_POOL = 256;
/** Stored as they are: they hold nothing, and a hook writes them often (no logs, no state). */
const EMPTY = new Set(['', '{}', '[]']);
/** Opened values kept in memory, in characters of sealed and plain text together: the store
 * reads the same few rows on every unit step. A value bigger than a 16th of it is not kept. */
const CACHE_CHARS = 8 * 1024 * 1024;

export const isSealed = (value: string): boolean => value.startsWith(PREFIX);

export class StoreCipher {
  // Keyed by the sealed text: a nonce is never reused, so equal sealed text means equal value,
  // and a reader of an unchanged row skips the decryption (and its base64 decoding).
  private readonly opened = new Map<string, string>();
  private openedChars = 0;
  private nonces = Buffer.alloc(0);
  private nextNonce = 0;

  constructor(private current: StoreKey) {}

  get keyId(): string {
    return this.current.id;
  }

  seal(plain: string): string {
    if (EMPTY.has(plain)) return plain;
    const nonce = this.nonce();
    const cipher = createCipheriv('aes-256-gcm', this.current.bytes, nonce);
    const body = Buffer.concat([
      nonce,
      cipher.update(plain, 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    const sealed = `${PREFIX}${this.current.id}:${body.toString('base64')}`;
    this.remember(sealed, plain);
    return sealed;
  }

  /**
   * The plain value of `stored`, read from `where` (`table.column`, for the error). A value
   * that is not sealed is returned as it is: the empty values seal() leaves, and the defaults
   * SQLite writes (`{}`), hold nothing secret.
   */
  open(stored: string, where: string): string {
    if (!isSealed(stored)) return stored;
    const hit = this.opened.get(stored);
    if (hit !== undefined) return hit;
    const id = stored.slice(PREFIX.length, PREFIX.length + ID_LENGTH);
    if (id !== this.current.id) throw new StoreDecryptError(where, this.current.id, id);
    const body = Buffer.from(stored.slice(PREFIX.length + ID_LENGTH + 1), 'base64');
    if (body.length < NONCE_BYTES + TAG_BYTES) throw new StoreDecryptError(where, this.current.id);
    const decipher = createDecipheriv(
      'aes-256-gcm',
      this.current.bytes,
      body.subarray(0, NONCE_BYTES),
    );
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    let plain: string;
    try {
      plain =
        decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES), undefined, 'utf8') +
        decipher.final('utf8');
    } catch {
      // GCM's tag did not verify: another key with the same id (never in practice) or damage.
      throw new StoreDecryptError(where, this.current.id);
    }
    this.remember(stored, plain);
    return plain;
  }

  /** From now on seal with `next`; values sealed with the old key no longer open. */
  useKey(next: StoreKey): void {
    this.current = next;
    this.opened.clear();
    this.openedChars = 0;
  }

  /** 96 random bits, never handed out twice: the pool is drawn afresh, not wrapped around. */
  private nonce(): Buffer {
    if (this.nextNonce >= this.nonces.length) {
      this.nonces = randomBytes(NONCE_BYTES * NONCE_POOL);
      this.nextNonce = 0;
    }
    const nonce = this.nonces.subarray(this.nextNonce, this.nextNonce + NONCE_BYTES);
    this.nextNonce += NONCE_BYTES;
    return nonce;
  }

  private remember(sealed: string, plain: string): void {
    const size = sealed.length + plain.length;
    if (size > CACHE_CHARS / 16 || this.opened.has(sealed)) return;
    // Oldest first out: Map keeps insertion order, which is enough for rows read in a loop.
    for (const [old, value] of this.opened) {
      if (this.openedChars + size <= CACHE_CHARS) break;
      this.opened.delete(old);
      this.openedChars -= old.length + value.length;
    }
    this.opened.set(sealed, plain);
    this.openedChars += size;
  }
}
