// The etcd cluster as the charm reasons about it: members parsed from etcdctl, the URLs and
// strings built from units, and which members no unit accounts for. Pure.
import { type Json, JsonReader, parseEtcdctlJson } from './json.js';

export type ClusterState = 'new' | 'existing';

/** An address as a URL host: IPv6 literals need brackets. */
export function urlHost(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

export function httpsUrl(address: string, port: number): string {
  return `https://${urlHost(address)}:${port}`;
}

export interface Member {
  id: bigint;
  /** The form `etcdctl member remove` wants (it rejects decimal ids). */
  idHex: string;
  /** Empty while the member is added but has not started: etcd learns names from the member. */
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

/** etcdctl's own rule for its `unstarted` status column. */
export function isStarted(member: Member): boolean {
  return member.name !== '';
}

function readMember(r: JsonReader, value: Json | undefined, what: string): Member {
  const m = r.object(value, what);
  const id = r.uint64(m.ID, `${what}.ID`);
  return {
    id,
    idHex: id.toString(16),
    name: r.optionalString(m.name, `${what}.name`),
    peerUrls: r.strings(m.peerURLs, `${what}.peerURLs`),
    clientUrls: r.strings(m.clientURLs, `${what}.clientURLs`),
    isLearner: m.isLearner === undefined ? false : r.boolean(m.isLearner, `${what}.isLearner`),
  };
}

function byId(a: Member, b: Member): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function readMembers(r: JsonReader, value: Json | undefined): Member[] {
  return r
    .array(value, 'members')
    .map((m, i) => readMember(r, m, `members[${i}]`))
    .sort(byId);
}

/** `etcdctl member list -w json` → members sorted by id, ids lossless. */
export function parseMemberList(stdout: string): Member[] {
  const r = new JsonReader('member list', stdout);
  const body = r.object(parseEtcdctlJson(r.operation, stdout), 'the output');
  return readMembers(r, body.members);
}

export interface MemberAdded {
  added: Member;
  /** The whole membership after the add, the new member included (unstarted). */
  members: Member[];
}

/** `etcdctl member add NAME --peer-urls=URL -w json`. */
export function parseMemberAdd(stdout: string): MemberAdded {
  const r = new JsonReader('member add', stdout);
  const body = r.object(parseEtcdctlJson(r.operation, stdout), 'the output');
  return { added: readMember(r, body.member, 'member'), members: readMembers(r, body.members) };
}

export interface EndpointHealth {
  endpoint: string;
  healthy: boolean;
  /** As etcdctl prints it, e.g. `1.59ms`. */
  took: string;
  error?: string;
}

/**
 * `etcdctl endpoint health -w json [--cluster]`. etcdctl prints this JSON and exits 1 when any
 * endpoint is unhealthy, so the caller parses stdout whatever the exit code. With `--cluster`,
 * members that have not started are not listed at all (they have no client URLs yet).
 */
export function parseEndpointHealth(stdout: string): EndpointHealth[] {
  const r = new JsonReader('endpoint health', stdout);
  return r
    .array(parseEtcdctlJson(r.operation, stdout), 'the output')
    .map((value, i) => {
      const h = r.object(value, `[${i}]`);
      const error = h.error === undefined ? undefined : r.string(h.error, `[${i}].error`);
      return {
        endpoint: r.string(h.endpoint, `[${i}].endpoint`),
        healthy: r.boolean(h.health, `[${i}].health`),
        took: r.optionalString(h.took, `[${i}].took`),
        ...(error === undefined || error === '' ? {} : { error }),
      };
    })
    .sort((a, b) => compare(a.endpoint, b.endpoint));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The `db` relation's `connection_string`: client URLs sorted and de-duplicated, so every unit
 * publishes the same string and a re-ordered member list wakes no client. Only https: the
 * optional plain-HTTP listener is local to each unit and never for clients elsewhere.
 */
export function connectionString(clientUrls: readonly string[]): string {
  const https = clientUrls.filter((url) => url.startsWith('https://'));
  return [...new Set(https)].sort(compare).join(',');
}

/** A member as the charm expects it from a unit: etcd name and peer URL. */
export interface PeerSpec {
  name: string;
  peerUrl: string;
}

/** `--initial-cluster`: `name=https://addr:peerport,...`, sorted by name for a stable string. */
export function initialCluster(peers: readonly PeerSpec[]): string {
  return [...peers]
    .sort((a, b) => compare(a.name, b.name) || compare(a.peerUrl, b.peerUrl))
    .map((p) => `${p.name}=${p.peerUrl}`)
    .join(',');
}

/** The inverse of initialCluster, for the string the leader keeps in the peer app bag. */
export function parseInitialCluster(text: string): PeerSpec[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0
        ? { name: '', peerUrl: part }
        : { name: part.slice(0, eq), peerUrl: part.slice(eq + 1) };
    });
}

/**
 * The `--initial-cluster` a member just added with `member add` must start with (state
 * `existing`): every member's peer URLs, the new one under its name. Same rule as the
 * ETCD_INITIAL_CLUSTER that etcdctl's own `member add` prints.
 */
export function initialClusterAfterAdd(result: MemberAdded, name: string): string {
  return initialCluster(
    result.members.flatMap((m) =>
      m.peerUrls.map((peerUrl) => ({ name: m.id === result.added.id ? name : m.name, peerUrl })),
    ),
  );
}

/**
 * Members no expected unit accounts for, sorted by id: a started member by its name, a member
 * that never started (a join that failed half-way) by its peer URL. A member whose name matches
 * but whose URL moved is not stale; that is `member update`'s business.
 */
export function staleMembers(members: readonly Member[], expected: readonly PeerSpec[]): Member[] {
  const names = new Set(expected.map((p) => p.name));
  const urls = new Set(expected.map((p) => p.peerUrl));
  return members
    .filter((m) => (isStarted(m) ? !names.has(m.name) : !m.peerUrls.some((url) => urls.has(url))))
    .sort(byId);
}
