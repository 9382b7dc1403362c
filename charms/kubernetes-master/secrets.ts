// The control plane's secrets, kept in leader settings so every master (and a new leader) uses
// the same ones: the service-account signing key, the component and admin tokens, one kubelet
// token per worker, and the cluster tag. Only the leader creates them, once (DESIGN §6).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { WriteBag } from 'rune/charm';

const KEYS = {
  serviceAccountKey: 'service-account-key',
  admin: 'admin-token',
  proxy: 'kube-proxy-token',
  controllerManager: 'kube-controller-manager-token',
  scheduler: 'kube-scheduler-token',
  clusterTag: 'cluster-tag',
  kubelets: 'kubelet-tokens',
} as const;

export interface KubeletToken {
  token: string;
  group: string;
}

export interface Secrets {
  serviceAccountKey: string;
  adminToken: string;
  proxyToken: string;
  controllerManagerToken: string;
  schedulerToken: string;
  clusterTag: string;
  /** Kubelet user (`system:node:<host>`) → its token. */
  kubelets: Readonly<Record<string, KubeletToken>>;
}

export interface NodeRequest {
  user: string;
  group: string;
}

function newToken(): string {
  return randomBytes(24).toString('hex');
}

/** The last tokens read, by their text: every master hook reads them, and with 1,000 workers
 * parsing them each time was a tenth of a master hook. */
let lastKubelets: { text: string; tokens: Readonly<Record<string, KubeletToken>> } | undefined;

function readKubelets(settings: WriteBag): Readonly<Record<string, KubeletToken>> {
  const text = settings.get(KEYS.kubelets) ?? '{}';
  if (lastKubelets?.text !== text) lastKubelets = { text, tokens: parseKubelets(text) };
  return lastKubelets.tokens;
}

function parseKubelets(text: string): Readonly<Record<string, KubeletToken>> {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    const out: Record<string, KubeletToken> = {};
    for (const [user, entry] of Object.entries(parsed as Record<string, unknown>)) {
      const { token, group } = (entry ?? {}) as Partial<KubeletToken>;
      if (typeof token === 'string' && typeof group === 'string') {
        out[user] = Object.freeze({ token, group });
      }
    }
    return Object.freeze(out);
  } catch {
    return {};
  }
}

export function readSecrets(settings: WriteBag): Secrets | undefined {
  const get = (key: string) => settings.get(key);
  const serviceAccountKey = get(KEYS.serviceAccountKey);
  const adminToken = get(KEYS.admin);
  const proxyToken = get(KEYS.proxy);
  const controllerManagerToken = get(KEYS.controllerManager);
  const schedulerToken = get(KEYS.scheduler);
  const clusterTag = get(KEYS.clusterTag);
  if (
    serviceAccountKey === undefined ||
    adminToken === undefined ||
    proxyToken === undefined ||
    controllerManagerToken === undefined ||
    schedulerToken === undefined ||
    clusterTag === undefined
  ) {
    return undefined;
  }
  const kubelets = readKubelets(settings);
  return {
    serviceAccountKey,
    adminToken,
    proxyToken,
    controllerManagerToken,
    schedulerToken,
    clusterTag,
    kubelets,
  };
}

/**
 * The leader's part: creates what is missing, mints a token for each node that asks and drops
 * the tokens of nodes no longer related, so a removed worker's credentials stop working.
 * Returns what it created, for the log (never the secrets themselves).
 */
export function ensureSecrets(settings: WriteBag, requests: readonly NodeRequest[]): string[] {
  const made: string[] = [];
  if (settings.get(KEYS.serviceAccountKey) === undefined) {
    // PEM straight from the generation: exporting a freshly generated KeyObject can deadlock
    // Node 20 if a GC finalises its generation job meanwhile (agents/machine/ed25519-keys.ts).
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    settings.set(KEYS.serviceAccountKey, privateKey);
    made.push('the service-account key');
  }
  for (const key of [KEYS.admin, KEYS.proxy, KEYS.controllerManager, KEYS.scheduler]) {
    if (settings.get(key) === undefined) {
      settings.set(key, newToken());
      made.push(`the ${key}`);
    }
  }
  if (settings.get(KEYS.clusterTag) === undefined) {
    settings.set(KEYS.clusterTag, `kubernetes-${randomBytes(8).toString('hex')}`);
    made.push('the cluster tag');
  }
  const before = readKubelets(settings);
  const after: Record<string, KubeletToken> = {};
  for (const req of [...requests].sort((a, b) => (a.user < b.user ? -1 : 1))) {
    const known = before[req.user];
    after[req.user] = known?.group === req.group ? known : { token: newToken(), group: req.group };
    if (known === undefined) made.push(`a token for ${req.user}`);
  }
  const text = JSON.stringify(after);
  if ((settings.get(KEYS.kubelets) ?? '{}') !== text) settings.set(KEYS.kubelets, text);
  return made;
}

/** The API server's --token-auth-file: `token,user,uid[,"groups"]`, one line per identity. */
export function tokenAuthFile(secrets: Secrets): string {
  const lines = [
    `${secrets.adminToken},admin,admin,"system:masters"`,
    `${secrets.controllerManagerToken},system:kube-controller-manager,kube-controller-manager`,
    `${secrets.proxyToken},system:kube-proxy,kube-proxy`,
    `${secrets.schedulerToken},system:kube-scheduler,kube-scheduler`,
  ];
  for (const user of Object.keys(secrets.kubelets).sort()) {
    const entry = secrets.kubelets[user] as KubeletToken;
    const uid = `kubelet-${user.replace(/^system:node:/, '')}`;
    lines.push(`${entry.token},${user},${uid},"${entry.group}"`);
  }
  return `${lines.join('\n')}\n`;
}
