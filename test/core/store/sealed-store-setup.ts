// Shared by the sealed-store tests: a store with one secret in every sealed column (each reached
// through the Store contract, as the controller writes it), what reads it back, and the raw
// bytes an attacker with a copy of the controller's folder would see.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoint } from '../../../core/model/types.js';
import type { SqliteStore } from '../../../core/store/sqlite-store.js';

export const tempDir = (): string => mkdtempSync(join(tmpdir(), 'rune-sealed-'));

/** A real PKCS#8 private key, as easyrsa keeps its CA key. */
export function privateKeyPem(): string {
  return generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

const client: Endpoint = {
  application: 'easyrsa',
  name: 'client',
  role: 'provider',
  interface: 'tls-certificates',
  scope: 'global',
  optional: false,
};
const certificates: Endpoint = {
  ...client,
  application: 'etcd',
  name: 'certificates',
  role: 'requirer',
};
const spec = (secret: string) => ({
  charmRevision: 1,
  charmDir: '/c/easyrsa',
  config: { 'ca-key': secret },
  resources: {},
});

/** Writes `secret` once into each sealed column (sealed-columns.ts). */
export function writeSecretEverywhere(store: SqliteStore, secret: string): void {
  for (const name of ['easyrsa', 'etcd']) {
    store.addApplication({
      name,
      charm: name,
      charmDir: `/c/${name}`,
      subordinate: false,
      config: { 'ca-key': secret },
      constraints: '',
    });
  }
  store.addUnit({ name: 'easyrsa/0', machine: '0' });
  const relation = store.addRelation([client, certificates]);
  store.writeDatabag(relation.id, 'easyrsa/0', { client_key: secret });
  store.writeLeaderSettings('easyrsa', { ca_key: secret });
  store.setUnitRuntime('easyrsa/0', { charmState: { key: secret } });
  const action = store.enqueueAction('easyrsa/0', 'restore', { backup: secret }, 'now');
  store.finishAction(action, 'completed', { key: secret }, '', 'now');
  const hook = store.hookStarted({
    unit: 'easyrsa/0',
    hook: 'install',
    detail: {},
    startedAt: 'now',
  });
  store.hookEnded(hook, 'error', 'now', `failed: ${secret}`, [{ level: 'info', message: secret }]);
  store.addRollout({
    application: 'easyrsa',
    change: 'config',
    from: spec(secret),
    to: spec(secret),
    policy: { canaries: 1, maxInFlight: { count: 1 }, watchMinMs: 0, watchMaxMs: 1 },
    state: 'running',
    message: '',
    units: [],
    startedAt: 'now',
  });
  store.addModelRevision({
    at: 'now',
    command: 'config easyrsa',
    applications: ['easyrsa'],
    changes: [],
    specs: {
      easyrsa: { charmRevision: 1, config: { 'ca-key': secret }, secrets: [], resources: {} },
    },
  });
  store.deployStarted({ bundle: secret }, 'now');
}

/** Every value writeSecretEverywhere wrote, read back through the store. */
export function readSecretEverywhere(store: SqliteStore): string[] {
  const relation = store.relations()[0]?.id ?? -1;
  const hook = store.hookLog()[0];
  const action = store.action(1);
  return [
    String(store.application('easyrsa')?.config['ca-key']),
    String(store.applications()[1]?.config['ca-key']),
    store.databag(relation, 'easyrsa/0').data.client_key ?? '',
    store.leaderSettings('easyrsa').ca_key ?? '',
    store.unitRuntime('easyrsa/0')?.charmState.key as string,
    String(action?.params.backup),
    action?.results.key ?? '',
    hook?.message.replace('failed: ', '') ?? '',
    hook?.logs[0]?.message ?? '',
    String(store.activeRollout('easyrsa')?.to.config['ca-key']),
    String(store.modelRevisions()[0]?.specs.easyrsa?.config['ca-key']),
    String((store.unfinishedDeploys()[0]?.request as { bundle?: string } | undefined)?.bundle),
  ];
}

/** store.db with its -wal and -shm, as one text (latin1: every byte is one character). */
export function rawStoreText(file: string): string {
  return [file, `${file}-wal`, `${file}-shm`]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f).toString('latin1'))
    .join('\n');
}
