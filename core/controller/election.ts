// Which controller member is active (issue 16 item 3): the one holding the election key, put
// under an etcd lease it keeps alive. A member that dies stops renewing; the key goes with the
// lease after its TTL and a member standing by takes it. The key's creation revision fences the
// store's log (etcd-log.ts): an old holder's appends are refused once the key is another's.
import type { Etcd3 } from 'etcd3';
import type { Fence } from '../store/etcd-log.js';

export interface Leadership {
  fence: Fence;
  /** Resolves (with why) when the lease is lost: the member must stop acting as active. */
  lost: Promise<string>;
  /** Gives the key up at once, so another member need not wait for the TTL. */
  resign(): Promise<void>;
}

/** Seconds: a dead active member is replaced within this plus one campaign round. */
export const ELECTION_TTL_SECONDS = 5;

/** The member holding the key, if any. */
export async function activeMember(client: Etcd3, key: string): Promise<string | undefined> {
  return (await client.get(key).string()) ?? undefined;
}

/** Resolves once this member holds `key`; until then waits for it to be free. */
export async function campaign(
  client: Etcd3,
  key: string,
  member: string,
  options: { ttlSeconds?: number; signal?: AbortSignal } = {},
): Promise<Leadership> {
  const ttl = options.ttlSeconds ?? ELECTION_TTL_SECONDS;
  for (;;) {
    options.signal?.throwIfAborted();
    const lease = client.lease(ttl);
    let lostWhy: ((why: string) => void) | undefined;
    const lost = new Promise<string>((resolve) => (lostWhy = resolve));
    lease.on('lost', (e) => lostWhy?.(`its etcd lease was lost: ${e.message}`));
    const leaseId = await lease.grant();
    const taken = await client
      .if(key, 'Create', '==', 0)
      .then(client.put(key).value(member).lease(leaseId))
      .commit();
    if (taken.succeeded) {
      const held = await client.get(key).exec();
      const createRevision = String(held.kvs[0]?.create_revision ?? taken.header.revision);
      return {
        fence: { key, createRevision },
        lost,
        resign: async () => {
          lostWhy?.('it resigned');
          await lease.revoke().catch(() => undefined);
        },
      };
    }
    await lease.revoke().catch(() => undefined);
    await keyFreed(client, key, options.signal);
  }
}

/** Waits until `key` is deleted (its holder's lease ended), or a second passes: a watch that
 * misses the delete (a reconnect) costs a second, not the election. */
async function keyFreed(client: Etcd3, key: string, signal?: AbortSignal): Promise<void> {
  const watcher = await client.watch().key(key).create();
  try {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1_000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      watcher.on('delete', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  } finally {
    await watcher.cancel();
  }
}
