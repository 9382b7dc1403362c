// The kube-control interface: kubernetes-master hands each worker its DNS settings, API
// endpoints and per-user tokens; the worker asks for a kubelet user. Pure.
import { changedKeys, isRecord, isStringList, readJson, readString } from './databag.js';
import { dnsDomain, ipAddress, json, mapOf, port, unitAndAppBags, word } from './schema.js';
import type { Databag, InterfaceSpec } from './types.js';

const creds = json(
  mapOf({
    type: 'object',
    properties: {
      kubelet_token: { type: 'string' },
      proxy_token: { type: 'string' },
      client_token: { type: 'string' },
      scope: { type: 'string' },
    },
    required: ['kubelet_token', 'proxy_token', 'client_token', 'scope'],
  }),
  'a JSON object of user → {kubelet_token, proxy_token, client_token, scope}',
  true,
);

// Rune's master sends each worker its own entry under a key addressed to it
// (`kubernetes-worker_12.creds`, the tls-certificates way), holding the same JSON as `creds` with
// that worker's users only. With one `creds` blob (1.21's wire format, still read) each new worker
// changed what all 1,000 others read, and each of them ran a relation-changed to find nothing new.
const UNIT_CREDS = /^([a-z][a-z0-9-]*)_([0-9]+)\.creds$/;

function addressee(key: string): string | undefined {
  const m = UNIT_CREDS.exec(key);
  return m === null ? undefined : `${m[1]}/${m[2]}`;
}

/** The last text made for each worker's key, with what it was made from: a master publishes
 * every worker's credentials on each of its hooks, and with 1,000 workers serializing them all
 * again was most of the hook. */
const lastCredsText = new Map<string, { entries: readonly [string, KubeCreds][]; text: string }>();

const sameCreds = (a: KubeCreds, b: KubeCreds) =>
  a.kubeletToken === b.kubeletToken &&
  a.proxyToken === b.proxyToken &&
  a.clientToken === b.clientToken &&
  a.scope === b.scope;

/** The JSON under one worker's key: its users in order, each with its credentials. */
function credsText(key: string, entries: [string, KubeCreds][]): string {
  if (entries.length > 1) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const last = lastCredsText.get(key);
  if (
    last !== undefined &&
    last.entries.length === entries.length &&
    last.entries.every(([user, c], i) => {
      const [u, e] = entries[i] as [string, KubeCreds];
      return user === u && sameCreds(c, e);
    })
  ) {
    return last.text;
  }
  const text = JSON.stringify(Object.fromEntries(entries.map(([u, c]) => [u, wireEntry(c)])));
  lastCredsText.set(key, { entries, text });
  return text;
}

/** One user's credentials as the wire spells them. */
function wireEntry(c: KubeCreds): object {
  return {
    client_token: c.clientToken,
    kubelet_token: c.kubeletToken,
    proxy_token: c.proxyToken,
    scope: c.scope,
  };
}

const credsKeys = new Map<string, string>();
/** `kubernetes-worker/12` → `kubernetes-worker_12.creds` (remembered: a master asks for every
 * worker's key on each of its hooks). */
function unitCredsKey(unit: string): string {
  let key = credsKeys.get(unit);
  if (key === undefined) credsKeys.set(unit, (key = `${unit.replace(/\//g, '_')}.creds`));
  return key;
}

const providerKeys = {
  port: port(),
  domain: dnsDomain(),
  'sdn-ip': ipAddress(),
  creds,
  'cluster-tag': word('a cluster tag without spaces'),
  'api-endpoints': json(
    { type: 'array', items: { type: 'string', pattern: '^https?://\\S+$' } },
    'a JSON list of URLs',
  ),
};

const requirerKeys = {
  kubelet_user: word('a user name without spaces'),
  auth_group: word('a group name without spaces'),
};

// Unknown keys are allowed: the 1.21 master also sends `registry-location`, `cohort-keys`,
// `enable-kube-dns`, `default-cni`, `has-xcp`, and workers send `gpu`; Rune's charms ignore
// them, but a master or worker from elsewhere must still validate.
const providerUnitKeys = { [UNIT_CREDS.source]: creds };

export const kubeControlSpec: InterfaceSpec = {
  name: 'kube-control',
  addressee,
  roles: {
    provider: unitAndAppBags({
      properties: providerKeys,
      patternProperties: providerUnitKeys,
      additionalProperties: true,
    }),
    requirer: unitAndAppBags({ properties: requirerKeys, additionalProperties: true }),
  },
};

export interface KubeCreds {
  kubeletToken: string;
  proxyToken: string;
  clientToken: string;
  /** The unit the credentials were minted for (`kubernetes-worker/0`). */
  scope: string;
}

export interface KubeDns {
  port: number;
  domain: string;
  sdnIp: string;
}

export interface AuthRequest {
  user: string;
  group: string;
}

function credsIn(value: unknown): Map<string, KubeCreds> {
  const out = new Map<string, KubeCreds>();
  if (!isRecord(value)) return out;
  for (const [user, entry] of Object.entries(value)) {
    if (!isRecord(entry)) continue;
    const { kubelet_token, proxy_token, client_token, scope } = entry;
    if (
      typeof kubelet_token === 'string' &&
      typeof proxy_token === 'string' &&
      typeof client_token === 'string' &&
      typeof scope === 'string'
    ) {
      out.set(user, {
        kubeletToken: kubelet_token,
        proxyToken: proxy_token,
        clientToken: client_token,
        scope,
      });
    }
  }
  return out;
}

export const kubeControl = {
  spec: kubeControlSpec,
  provider: {
    publishDns(bag: Readonly<Databag>, dns: KubeDns): Databag {
      return changedKeys(bag, { port: String(dns.port), domain: dns.domain, 'sdn-ip': dns.sdnIp });
    },
    publishCluster(
      bag: Readonly<Databag>,
      cluster: { clusterTag: string; apiEndpoints: readonly string[] },
    ): Databag {
      return changedKeys(bag, {
        'cluster-tag': cluster.clusterTag,
        'api-endpoints': JSON.stringify([...cluster.apiEndpoints]),
      });
    },
    /**
     * The writes that publish every user's credentials, each worker's under the key addressed to
     * it (its `scope`); the keys of workers no longer listed are emptied, and so is a 1.21-style
     * `creds` blob.
     */
    publishCreds(bag: Readonly<Databag>, all: Readonly<Record<string, KubeCreds>>): Databag {
      const byUnit = new Map<string, [string, KubeCreds][]>();
      for (const [user, c] of Object.entries(all)) {
        const key = unitCredsKey(c.scope);
        const entries = byUnit.get(key);
        if (entries === undefined) byUnit.set(key, [[user, c]]);
        else entries.push([user, c]);
      }
      const out: Databag = {};
      if (readString(bag, 'creds') !== undefined) out['creds'] = '';
      for (const key of Object.keys(bag)) {
        if (!byUnit.has(key) && UNIT_CREDS.test(key) && bag[key] !== '') out[key] = '';
      }
      for (const [key, entries] of byUnit) {
        const text = credsText(key, entries);
        if (bag[key] !== text) out[key] = text;
      }
      return out;
    },
    /** What a worker unit asks for, once it has named its kubelet user. */
    authRequest(remote: Readonly<Databag>): AuthRequest | undefined {
      const user = readString(remote, 'kubelet_user');
      if (user === undefined) return undefined;
      return { user, group: readString(remote, 'auth_group') ?? 'system:nodes' };
    },
  },
  requirer: {
    requestAuth(bag: Readonly<Databag>, req: AuthRequest): Databag {
      return changedKeys(bag, { kubelet_user: req.user, auth_group: req.group });
    },
    /** This user's credentials, once the master has minted them: under the key addressed to
     * `unit`, or in a 1.21 master's `creds` blob. */
    creds(remote: Readonly<Databag>, user: string, unit: string): KubeCreds | undefined {
      return (
        credsIn(readJson(remote, unitCredsKey(unit))).get(user) ??
        credsIn(readJson(remote, 'creds')).get(user)
      );
    },
    dns(remote: Readonly<Databag>): KubeDns | undefined {
      const portText = readString(remote, 'port');
      const domain = readString(remote, 'domain');
      // Without an sdn-ip the master's own address serves DNS, as in 1.21.
      const sdnIp = readString(remote, 'sdn-ip') ?? readString(remote, 'private-address');
      if (portText === undefined || domain === undefined || sdnIp === undefined) return undefined;
      if (!/^[0-9]+$/.test(portText)) return undefined;
      return { port: Number(portText), domain, sdnIp };
    },
    apiEndpoints(remote: Readonly<Databag>): string[] {
      const value = readJson(remote, 'api-endpoints');
      return isStringList(value) ? value : [];
    },
    clusterTag(remote: Readonly<Databag>): string | undefined {
      return readString(remote, 'cluster-tag');
    },
  },
} as const;
