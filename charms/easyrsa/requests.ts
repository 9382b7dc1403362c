// What the leader publishes on one tls-certificates relation: for each request of the units in
// scope, the certificate already published when it still answers the request, else a new one.
// Pure apart from the keys it takes (key-pool.ts): the caller writes the bags.
import type { RelationView, WriteBag } from 'rune/charm';
import { CA_ROTATION, type CertRequest, tlsCertificates } from 'rune/interfaces';
import {
  CertificateRequestError,
  certificateCommonName,
  certificateSans,
  issueCertificate,
  requestedSans,
  sanProblem,
  signedBy,
} from './pki.js';
import type { KeyPair } from './pki.js';
import { readyKey, takeKey } from './key-pool.js';
import { DEFAULT_POLICY, type RenewalPolicy, issueTime, renewalDue } from './renewal.js';

/** The charm's one endpoint (metadata.yaml), where the requirers relate. */
export const ENDPOINT = 'client';

export interface Authority {
  ca: KeyPair;
  /**
   * The one client certificate every related application shares, as 1.21 handed out. Made
   * after the server certificates of a burst of requests (charm.ts): absent until then.
   */
  client?: KeyPair;
  /** When leaves are reissued, and how long new ones live; default: ten years, a third left. */
  policy?: RenewalPolicy;
  /** The `ca` published, when it is not the signing CA alone: during rotate-ca, a bundle. */
  trust?: string;
  /** The rotate-ca step consumers are asked to apply (ca-rotation.ts), published as is. */
  rotation?: string;
}

export interface RelationPlan {
  /** Every provider key the relation's bags should hold, with its value. */
  desired: Record<string, string>;
  /** One line per refused request, naming the unit and what is wrong. */
  problems: string[];
  /** How many certificates were newly signed (for the log). */
  signed: number;
  /** Requests left for their unit's own hook: no key was ready for them (for the log). */
  deferred: number;
}

// The per-requester keys: `etcd_0.server.cert` and friends (the interface's provider schema).
const UNIT_CERT_KEY = /\.(server\.cert|server\.key|processed_requests|processed_client_requests)$/;
const SHARED_KEYS = new Set(['ca', 'chain', 'client.cert', 'client.key', CA_ROTATION]);

/** A key this charm publishes and so may also withdraw; anything else in a bag is not ours. */
export function isProviderKey(key: string): boolean {
  return SHARED_KEYS.has(key) || isUnitCertKey(key);
}

export function isUnitCertKey(key: string): boolean {
  return UNIT_CERT_KEY.test(key);
}

/** Makes the provider keys of `bag` exactly `desired`; unchanged values are no write at all. */
export function publish(bag: WriteBag, desired: Readonly<Record<string, string>>): void {
  for (const key of bag.keys()) {
    if (isProviderKey(key) && !Object.hasOwn(desired, key)) bag.delete(key);
  }
  for (const [key, value] of Object.entries(desired)) bag.set(key, value);
}

/**
 * The bags' target for one relation. `published` is what the relation's application bag holds
 * now: the record of what was issued, which a new leader inherits along with the bag.
 */
export async function planRelation(
  rel: RelationView,
  authority: Authority,
  published: Readonly<Record<string, string>>,
  /**
   * Whether a unit's new request waits for a key when none is ready. The others are signed only
   * with keys ready now, and left for a later hook: a burst of requests then publishes its first
   * certificates without waiting for the last key (RSA keys take 80-400 ms of CPU each, and the
   * first member of a cluster needs only its own).
   */
  waits: (unit: string) => boolean = () => true,
): Promise<RelationPlan> {
  const desired: Record<string, string> = {
    ca: authority.trust ?? authority.ca.cert,
    ...clientKeys(authority),
    ...(authority.rotation === undefined ? {} : { [CA_ROTATION]: authority.rotation }),
  };
  const policy = authority.policy ?? DEFAULT_POLICY;
  const problems: string[] = [];
  const answers: { req: CertRequest; answer: Promise<KeyPair> }[] = [];
  let signed = 0;
  let deferred = 0;
  for (const unit of rel.units) {
    for (const req of tlsCertificates.provider.requests(rel.remote(unit).view(), unit)) {
      const existing = existingCert(published, req);
      const problem = requestProblem(req, unit);
      if (problem !== undefined) {
        problems.push(problem);
        // The certificate issued for the last good request still serves the unit meanwhile.
        if (existing !== undefined && signedBy(existing.cert, authority.ca.cert)) {
          answers.push({ req, answer: Promise.resolve(existing) });
        }
      } else if (existing !== undefined && stillAnswers(existing, req, authority.ca, policy)) {
        answers.push({ req, answer: Promise.resolve(existing) });
      } else {
        // Not awaited here: new certificates take their keys (spare or generated) together.
        const ready = readyKey();
        const key =
          ready !== undefined ? Promise.resolve(ready) : waits(unit) ? takeKey() : undefined;
        if (key === undefined) {
          deferred += 1;
          // A certificate being replaced (new SANs) keeps serving until its successor is out.
          if (existing !== undefined && signedBy(existing.cert, authority.ca.cert)) {
            answers.push({ req, answer: Promise.resolve(existing) });
          }
          continue;
        }
        const request = { commonName: req.commonName, sans: req.sans, kind: req.certType };
        const answer = issueCertificate(
          authority.ca,
          request,
          issueTime(policy, new Date()),
          key,
          policy.lifetimeMs,
        );
        answers.push({ req, answer });
        signed += 1;
      }
    }
  }
  const batches = new Map<string, Map<string, KeyPair>>();
  const settled = await Promise.all(answers.map(async (a) => ({ ...a, answer: await a.answer })));
  for (const { req, answer } of settled) {
    if (req.topLevel) {
      desired[`${req.unitKey}.server.cert`] = answer.cert;
      desired[`${req.unitKey}.server.key`] = answer.key;
    } else {
      const key = batchKey(req);
      const batch = batches.get(key) ?? new Map<string, KeyPair>();
      batch.set(req.commonName, answer);
      batches.set(key, batch);
    }
  }
  for (const [key, batch] of batches) {
    // Sorted names: the same certificates always serialise to the same string, so an unchanged
    // batch is no write and wakes nobody.
    const entries = [...batch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    desired[key] = JSON.stringify(
      Object.fromEntries(entries.map(([name, pair]) => [name, { cert: pair.cert, key: pair.key }])),
    );
  }
  return { desired, problems, signed, deferred };
}

/** The shared client certificate's provider keys, when there is one. */
export function clientKeys(authority: Authority): Record<string, string> {
  const { client } = authority;
  return client === undefined ? {} : { 'client.cert': client.cert, 'client.key': client.key };
}

function batchKey(req: CertRequest): string {
  const suffix = req.certType === 'server' ? 'processed_requests' : 'processed_client_requests';
  return `${req.unitKey}.${suffix}`;
}

function existingCert(
  published: Readonly<Record<string, string>>,
  req: CertRequest,
): KeyPair | undefined {
  if (req.topLevel) {
    const cert = published[`${req.unitKey}.server.cert`];
    const key = published[`${req.unitKey}.server.key`];
    return cert !== undefined && key !== undefined ? { cert, key } : undefined;
  }
  const text = published[batchKey(req)];
  if (text === undefined) return undefined;
  let batch: unknown;
  try {
    batch = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof batch !== 'object' || batch === null) return undefined;
  const entry = (batch as Record<string, unknown>)[req.commonName];
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { cert, key } = entry as { cert?: unknown; key?: unknown };
  return typeof cert === 'string' && typeof key === 'string' ? { cert, key } : undefined;
}

/** Still right for the request: from this CA, not due for renewal, same CN, same SANs. */
function stillAnswers(
  existing: KeyPair,
  req: CertRequest,
  ca: KeyPair,
  policy: RenewalPolicy,
): boolean {
  if (!signedBy(existing.cert, ca.cert)) return false;
  if (renewalDue(existing.cert, policy, new Date())) return false;
  if (certificateCommonName(existing.cert) !== req.commonName) return false;
  const want = requestFacts(req).sans;
  if (want === undefined) return false;
  const have = certificateSans(existing.cert);
  return want.length === have.length && want.every((san, i) => san === have[i]);
}

interface RequestFacts {
  /** A SAN that is no name or address. */
  badSan?: string;
  /** What else makes the request unsignable. */
  invalid?: string;
  /** The SANs its certificate would carry, for a request without a problem. */
  sans?: string[];
}

/** Each request's facts by its text: every hook of the CA looks at every request in scope, and
 * with 2,000 requesters parsing their names each time made the CA's hooks quadratic. */
const FACTS_LIMIT = 20_000;
const facts = new Map<string, RequestFacts>();

function requestFacts(req: CertRequest): RequestFacts {
  const key = `${req.certType}\0${req.commonName}\0${req.sans.join('\0')}`;
  let found = facts.get(key);
  if (found !== undefined) return found;
  const badSan = req.sans.find((san) => sanProblem(san) !== undefined);
  if (badSan !== undefined) {
    found = { badSan };
  } else {
    try {
      found = {
        sans: requestedSans({ commonName: req.commonName, sans: req.sans, kind: req.certType }),
      };
    } catch (error) {
      if (!(error instanceof CertificateRequestError)) throw error;
      found = { invalid: error.problem };
    }
  }
  if (facts.size >= FACTS_LIMIT) facts.clear();
  facts.set(key, found);
  return found;
}

function requestProblem(req: CertRequest, unit: string): string | undefined {
  const { badSan, invalid } = requestFacts(req);
  if (badSan !== undefined) return `invalid SAN ${JSON.stringify(badSan)} requested by ${unit}`;
  if (invalid !== undefined) return `invalid certificate request from ${unit}: ${invalid}`;
  return undefined;
}
