// A member of a highly available controller (issue 16 item 3): its own files beside the
// controller's, its replica of the store in etcd, and its place in the election. Each member
// serves its own socket; the one holding the election key is active and runs the model, the
// others stand by, following the store's log.
import { readFileSync } from 'node:fs';
import type { Etcd3 } from 'etcd3';
import type { EtcdConnection } from '../store/etcd-log.js';
import { connect } from '../store/etcd-log.js';
import { openEtcdStore, type EtcdStore } from '../store/etcd-store.js';
import type { StoreFencedError } from '../store/errors.js';
import { campaign, type Leadership } from './election.js';
import type { ControllerPaths } from './paths.js';
import type { ControllerInfo, HaInfo } from './registry.js';

export const storePrefix = (info: ControllerInfo): string => `/rune/${info.id}/store/`;
/** The controller a store in etcd belongs to, as members check it. */
export const storeOwner = (info: ControllerInfo): string => `"${info.name}" (id ${info.id})`;
export const electionKey = (info: ControllerInfo): string => `/rune/${info.id}/active`;

/** How members reach the store's etcd: the cluster's client URLs and the controller's client
 * certificate (read from its 0600 files, never copied into controller.json). */
export function storeConnection(ha: HaInfo): EtcdConnection {
  const read = (file: string) => readFileSync(file, 'utf8');
  return {
    endpoints: ha.store.endpoints,
    tls: {
      ca: read(ha.store.tls.caFile),
      cert: read(ha.store.tls.certFile),
      key: read(ha.store.tls.keyFile),
    },
  };
}

export function openMemberStore(
  info: ControllerInfo & { ha: HaInfo },
  paths: ControllerPaths,
  onFenced: (error: StoreFencedError) => void,
): EtcdStore {
  return openEtcdStore({
    file: paths.store,
    keyFile: paths.storeKey,
    connection: storeConnection(info.ha),
    prefix: storePrefix(info),
    owner: storeOwner(info),
    onFenced,
  });
}

export interface Candidacy {
  /** Stops campaigning, or gives up the key when held. */
  stop(): Promise<void>;
}

/**
 * Campaigns in the background: once elected, activates the store under the key's fence and
 * calls `onActive`; when the lease is lost, calls `onLost` (the member must stop: its appends
 * are refused from then on anyway).
 */
export function standForElection(
  info: ControllerInfo & { ha: HaInfo },
  member: number,
  store: EtcdStore,
  hooks: { onActive: () => void; onLost: (why: string) => void; log: (line: string) => void },
): Candidacy {
  const client: Etcd3 = connect(storeConnection(info.ha));
  const abort = new AbortController();
  let held: Leadership | undefined;
  const running = (async () => {
    for (;;) {
      try {
        held = await campaign(client, electionKey(info), String(member), { signal: abort.signal });
        break;
      } catch (e) {
        if (abort.signal.aborted) return;
        // etcd unreachable for a moment: a standby keeps trying, it has nothing else to do.
        hooks.log(`election: ${e instanceof Error ? e.message : String(e)}; trying again`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    store.activate(held.fence);
    hooks.log(`member ${member} is now the active controller member`);
    hooks.onActive();
    void held.lost.then((why) => {
      if (!abort.signal.aborted) hooks.onLost(why);
    });
  })();
  return {
    stop: async () => {
      abort.abort();
      await running.catch(() => undefined);
      await held?.resign();
      client.close();
    },
  };
}
