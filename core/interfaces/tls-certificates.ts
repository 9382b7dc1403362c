// The tls-certificates interface (easyrsa ⇄ etcd, kubernetes-master, kubernetes-worker): keys as
// Charmed Kubernetes 1.21 wrote them, and helpers to request and hand out certificates. Pure.
import type { JsonSchema } from '../charm/types.js';
import { caRotationKeys } from './ca-rotation.js';
import { changedKeys, isRecord, isStringList, readJson, readString } from './databag.js';
import {
  unitAndAppBags,
  json,
  line,
  mapOf,
  pemCertificate,
  pemPrivateKey,
  stringList,
} from './schema.js';
import type { Databag, InterfaceSpec } from './types.js';

/** `etcd/0` → `etcd_0`: the provider prefixes a requesting unit's keys with this. */
export function unitKeyPrefix(unitName: string): string {
  return unitName.replace(/\//g, '_');
}

// The per-unit keys the provider writes: `<app>_<N>.server.cert` and friends. Application names
// are Juju's (lowercase, digits, hyphens), so the prefix never contains a dot.
const UNIT = '^[a-z][a-z0-9-]*_[0-9]+';

const certRequests = json(
  mapOf({
    type: 'object',
    properties: { sans: { anyOf: [stringList, { type: 'null' }] } },
    required: ['sans'],
  }),
  'a JSON object of name → {"sans": [...]}',
);

// Issued certificates with their private keys, JSON-encoded: secret as a whole.
const processed = json(
  mapOf({
    type: 'object',
    properties: { cert: { type: 'string' }, key: { type: 'string' } },
    required: ['cert', 'key'],
  }),
  'a JSON object of name → {"cert": ..., "key": ...}',
  true,
);

const requirerKeys: Record<string, JsonSchema> = {
  common_name: line('a common name'),
  sans: json(stringList, 'a JSON list of strings'),
  certificate_name: line('a certificate name'),
  cert_requests: certRequests,
  client_cert_requests: certRequests,
  // Later requirers name themselves so a provider behind a proxy still keys by the real unit.
  unit_name: { type: 'string', pattern: `${UNIT}$`, expect: 'a unit name like etcd_0' },
  ...caRotationKeys.requirer,
};

const providerKeys: Record<string, JsonSchema> = {
  ca: pemCertificate(),
  chain: pemCertificate(),
  'client.cert': pemCertificate(),
  'client.key': pemPrivateKey(),
  ...caRotationKeys.provider,
};

const providerUnitKeys: Record<string, JsonSchema> = {
  [`${UNIT}\\.server\\.cert$`]: pemCertificate(),
  [`${UNIT}\\.server\\.key$`]: pemPrivateKey(),
  [`${UNIT}\\.processed_requests$`]: processed,
  [`${UNIT}\\.processed_client_requests$`]: processed,
};

// Unknown keys are allowed on both sides: Charmed Kubernetes requirers and providers (vault as
// well as easyrsa) have added keys over the years (`chain`, `unit_name`, Juju's
// `ingress-address`), and a strict schema would break a charm that still talks the protocol.
/** `etcd_0.server.cert` → `etcd/0`: the per-unit keys are the requesting unit's alone. */
const ADDRESSED =
  /^([a-z][a-z0-9-]*)_([0-9]+)\.(?:server\.cert|server\.key|processed_requests|processed_client_requests)$/;

function addressee(key: string): string | undefined {
  const m = ADDRESSED.exec(key);
  return m === null ? undefined : `${m[1]}/${m[2]}`;
}

export const tlsCertificatesSpec: InterfaceSpec = {
  name: 'tls-certificates',
  addressee,
  roles: {
    requirer: unitAndAppBags({ properties: requirerKeys, additionalProperties: true }),
    // easyrsa 1.21 publishes in its unit bags; a provider may use its app bag the same way.
    provider: unitAndAppBags({
      properties: providerKeys,
      patternProperties: providerUnitKeys,
      additionalProperties: true,
    }),
  },
};

export type CertType = 'server' | 'client';

export interface CertRequest {
  /** The requesting unit as the provider keys it (`etcd_0`). */
  unitKey: string;
  certType: CertType;
  commonName: string;
  sans: string[];
  /** A single request made with the top-level keys (`common_name`, `sans`, `certificate_name`)
   * is answered with `<unit>.server.cert`/`.server.key`; batch ones in `processed_requests`. */
  topLevel: boolean;
}

export interface IssuedCert {
  cert: string;
  key: string;
}

function sortedUnique(items: readonly string[]): string[] {
  return [...new Set(items)].sort();
}

function requestsIn(value: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!isRecord(value)) return out;
  for (const [name, req] of Object.entries(value)) {
    const sans = isRecord(req) ? req.sans : undefined;
    out.set(name, isStringList(sans) ? sans : []);
  }
  return out;
}

function issuedIn(value: unknown, name: string): IssuedCert | undefined {
  if (!isRecord(value)) return undefined;
  const entry = Object.hasOwn(value, name) ? value[name] : undefined;
  if (!isRecord(entry)) return undefined;
  const { cert, key } = entry;
  return typeof cert === 'string' && typeof key === 'string' && cert !== '' && key !== ''
    ? { cert, key }
    : undefined;
}

export const tlsCertificates = {
  spec: tlsCertificatesSpec,
  unitKeyPrefix,
  requirer: {
    /** The writes that ask for one server certificate (the top-level request). */
    request(
      bag: Readonly<Databag>,
      req: { commonName: string; sans: readonly string[]; certificateName?: string },
    ): Databag {
      return changedKeys(bag, {
        common_name: req.commonName,
        sans: JSON.stringify(sortedUnique(req.sans)),
        certificate_name: req.certificateName ?? req.commonName,
      });
    },
    /** The writes that add (or update) batch requests, keeping the ones already in the bag. */
    requestBatch(
      bag: Readonly<Databag>,
      certType: CertType,
      reqs: Readonly<Record<string, readonly string[]>>,
    ): Databag {
      const key = certType === 'server' ? 'cert_requests' : 'client_cert_requests';
      const merged = new Map<string, { sans: string[] }>();
      for (const [name, sans] of requestsIn(readJson(bag, key))) merged.set(name, { sans });
      for (const [name, sans] of Object.entries(reqs)) {
        merged.set(name, { sans: sortedUnique(sans) });
      }
      const sorted = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return changedKeys(bag, { [key]: JSON.stringify(Object.fromEntries(sorted)) });
    },
    ca(remote: Readonly<Databag>): string | undefined {
      return readString(remote, 'ca');
    },
    /** This unit's top-level server certificate, once the provider has issued it. */
    serverCert(remote: Readonly<Databag>, unitName: string): IssuedCert | undefined {
      const prefix = unitKeyPrefix(unitName);
      const cert = readString(remote, `${prefix}.server.cert`);
      const key = readString(remote, `${prefix}.server.key`);
      return cert !== undefined && key !== undefined ? { cert, key } : undefined;
    },
    /** A batch certificate by the name it was requested under. */
    batchCert(
      remote: Readonly<Databag>,
      unitName: string,
      certType: CertType,
      name: string,
    ): IssuedCert | undefined {
      const suffix = certType === 'server' ? 'processed_requests' : 'processed_client_requests';
      return issuedIn(readJson(remote, `${unitKeyPrefix(unitName)}.${suffix}`), name);
    },
    /** The shared client certificate (`client.cert`/`client.key`) that 1.21 charms used. */
    clientCert(remote: Readonly<Databag>): IssuedCert | undefined {
      const cert = readString(remote, 'client.cert');
      const key = readString(remote, 'client.key');
      return cert !== undefined && key !== undefined ? { cert, key } : undefined;
    },
  },
  provider: {
    /** Every request in one remote unit's bag; malformed JSON yields no request. */
    requests(remote: Readonly<Databag>, remoteUnit: string): CertRequest[] {
      const unitKey = readString(remote, 'unit_name') ?? unitKeyPrefix(remoteUnit);
      const out: CertRequest[] = [];
      const commonName = readString(remote, 'common_name');
      if (commonName !== undefined) {
        const sans = readJson(remote, 'sans');
        out.push({
          unitKey,
          certType: 'server',
          commonName,
          sans: isStringList(sans) ? sans : [],
          topLevel: true,
        });
      }
      const batches: [CertType, string][] = [
        ['server', 'cert_requests'],
        ['client', 'client_cert_requests'],
      ];
      for (const [certType, key] of batches) {
        for (const [name, sans] of requestsIn(readJson(remote, key))) {
          out.push({ unitKey, certType, commonName: name, sans, topLevel: false });
        }
      }
      return out;
    },
    publishCa(bag: Readonly<Databag>, ca: string, chain?: string): Databag {
      return changedKeys(bag, chain === undefined ? { ca } : { ca, chain });
    },
    publishClientCert(bag: Readonly<Databag>, issued: IssuedCert): Databag {
      return changedKeys(bag, { 'client.cert': issued.cert, 'client.key': issued.key });
    },
    /** The writes that answer `req` with `issued`, merged into what this bag already holds. */
    issue(bag: Readonly<Databag>, req: CertRequest, issued: IssuedCert): Databag {
      if (req.topLevel) {
        return changedKeys(bag, {
          [`${req.unitKey}.server.cert`]: issued.cert,
          [`${req.unitKey}.server.key`]: issued.key,
        });
      }
      const suffix = req.certType === 'server' ? 'processed_requests' : 'processed_client_requests';
      const key = `${req.unitKey}.${suffix}`;
      const current = readJson(bag, key);
      const merged = { ...(isRecord(current) ? current : {}), [req.commonName]: issued };
      return changedKeys(bag, { [key]: JSON.stringify(merged) });
    },
  },
} as const;
