// Shared fixtures for the etcd charm's harness tests: units, certificates from a fake easyrsa,
// etcdctl's JSON as 3.4.23 prints it, and the exact commands a unit runs (the fake machine
// answers commands by exact text, so tests build them with the charm's own builders).
import { resolve } from 'node:path';
import { Harness, type HarnessRelation, type HarnessState } from '../../../core/charm/index.js';
import { schemaValidateWrite } from '../../../core/interfaces/index.js';
import { charm, unitProbeCommand } from '../../../charms/etcd/charm.js';
import { type Env, envOf } from '../../../charms/etcd/env.js';
import {
  observeCommand,
  untilListeningCommand,
  waitHealthyCommand,
} from '../../../charms/etcd/member-commands.js';
import {
  type EtcdctlOp,
  bothCommand,
  etcdctlCommand,
} from '../../../charms/etcd/workload/etcdctl.js';
import { STOP_DISTRO_ETCD, versionCommand } from '../../../charms/etcd/workload/install-steps.js';
import type { RunAnswer } from '../../../core/charm/index.js';
import { type Layout, layoutFor } from '../../../charms/etcd/workload/paths.js';
import { ETCD_CONFIG_DEFAULTS } from '../../../charms/etcd/workload/validate.js';

const validateWrite = schemaValidateWrite();

export const harness = Harness.load(resolve('charms/etcd'), charm, { validateWrite });

export const pem = (label: string, body: string) =>
  `-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64')}\n-----END ${label}-----\n`;
export const CA = pem('CERTIFICATE', 'ca');
export const CLIENT_CERT = pem('CERTIFICATE', 'client');
export const CLIENT_KEY = pem('PRIVATE KEY', 'client-key');
export const serverCert = (unit: string) => pem('CERTIFICATE', `server ${unit}`);
export const serverKey = (unit: string) => pem('PRIVATE KEY', `server-key ${unit}`);

/** The harness's default address: etcd/N → 192.0.2.(N+1). */
export const addressOf = (unit: string) => `192.0.2.${Number(unit.split('/')[1]) + 1}`;
export const nameOf = (unit: string) => unit.replace('/', '-');
export const clientUrl = (unit: string) => `https://${addressOf(unit)}:2379`;
export const peerUrl = (unit: string) => `https://${addressOf(unit)}:2380`;

/** easyrsa/0's bag once it has answered `unit`'s request. */
export function easyrsaBag(unit: string): Record<string, string> {
  const key = unit.replace('/', '_');
  return {
    ca: CA,
    'client.cert': CLIENT_CERT,
    'client.key': CLIENT_KEY,
    [`${key}.server.cert`]: serverCert(unit),
    [`${key}.server.key`]: serverKey(unit),
  };
}

export const CERTS_ID = 2;
export const PEERS_ID = 1;
export const DB_ID = 3;

export function certificatesRelation(unit: string, issued = true): HarnessRelation {
  return {
    id: CERTS_ID,
    endpoint: 'certificates',
    remoteApp: 'easyrsa',
    remoteUnits: { 'easyrsa/0': issued ? easyrsaBag(unit) : {} },
  };
}

/** A peer's bag once it published its member facts. */
export function peerBag(unit: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'private-address': addressOf(unit),
    unit_name: nameOf(unit),
    public_address: addressOf(unit),
    management_port: '2380',
    ...extra,
  };
}

export function peersRelation(
  peers: readonly string[],
  extra: Record<string, Record<string, string>> = {},
): HarnessRelation {
  return {
    id: PEERS_ID,
    endpoint: 'cluster',
    remoteApp: 'etcd',
    remoteUnits: Object.fromEntries(peers.map((u) => [u, peerBag(u, extra[u])])),
  };
}

export function envFor(unit: string, layout: Layout = layoutFor('package')): Env {
  return envOf(unit, addressOf(unit), ETCD_CONFIG_DEFAULTS, layout);
}

/** etcdctl as `unit` runs it against `endpoints`: with the member's own certificate. */
export function etcdctlAs(
  unit: string,
  endpoints: readonly string[],
  op: EtcdctlOp,
  layout: Layout = layoutFor('package'),
): string {
  const env = envFor(unit, layout);
  return etcdctlCommand(
    {
      endpoints,
      cacert: env.tls.ca,
      cert: env.tls.serverCert,
      key: env.tls.serverKey,
      bin: env.layout.etcdctl,
    },
    op,
  );
}

export interface ProbeFacts {
  package?: 'installed' | 'available' | 'none';
  snapd?: boolean;
  memberData?: boolean;
  distroEtcd?: boolean;
  /** The stamp the package's etcd binary has (probe.ts); absent: no stamp line. */
  etcdStamp?: string;
}

export function probeAnswer(unit: string, facts: ProbeFacts = {}): [string, string] {
  const out = [
    `hostname=host-${nameOf(unit)}`,
    'arch=amd64',
    `package=${facts.package ?? 'installed'}`,
    `snapd=${facts.snapd === true ? 'yes' : 'no'}`,
    `member-data=${facts.memberData === true ? 'yes' : 'no'}`,
    `distro-etcd=${facts.distroEtcd === true ? 'running' : 'stopped'}`,
    ...(facts.etcdStamp === undefined ? [] : [`etcd-binary /usr/bin/etcd=${facts.etcdStamp}`]),
  ];
  return [unitProbeCommand(unit), `${out.join('\n')}\n`];
}

export const VERSION_OUTPUT = 'etcd Version: 3.4.23\nGit SHA: Not provided\nGo Version: go1.19.8\n';

/** A member as the tests describe it: unit, and whether it has started. */
export interface FakeMember {
  unit: string;
  id: bigint;
  started?: boolean;
}

export const idOf = (unit: string) => BigInt(0x1000 + Number(unit.split('/')[1]));

export const member = (unit: string, started = true): FakeMember => ({
  unit,
  id: idOf(unit),
  started,
});

function memberJson(m: FakeMember): string {
  const base = `"ID":${m.id.toString()},"peerURLs":["${peerUrl(m.unit)}"]`;
  return m.started === false
    ? `{${base}}`
    : `{${base},"name":"${nameOf(m.unit)}","clientURLs":["${clientUrl(m.unit)}"]}`;
}

/** `member list -w json` (ids as bare numbers, as etcdctl prints them). */
export function memberListJson(members: readonly FakeMember[]): string {
  const header = '{"cluster_id":17237436991929493444,"member_id":4096,"raft_term":2}';
  return `{"header":${header},"members":[${members.map(memberJson).join(',')}]}`;
}

/** `member add -w json`: the new (unstarted) member, then the whole membership. */
export function memberAddJson(added: FakeMember, before: readonly FakeMember[]): string {
  const header = '{"cluster_id":17237436991929493444,"member_id":4096,"raft_term":2}';
  const all = [...before, { ...added, started: false }].map(memberJson).join(',');
  return `{"header":${header},"member":${memberJson({ ...added, started: false })},"members":[${all}]}`;
}

/** `endpoint health --cluster -w json`: exit 1 when any is unhealthy. */
export function healthAnswer(healthy: readonly string[], unhealthy: readonly string[] = []) {
  const entries = [
    ...healthy.map((u) => `{"endpoint":"${clientUrl(u)}","health":true,"took":"1.2ms"}`),
    ...unhealthy.map(
      (u) =>
        `{"endpoint":"${clientUrl(u)}","health":false,"took":"5s","error":"context deadline exceeded"}`,
    ),
  ];
  return { code: unhealthy.length > 0 ? 1 : 0, stdout: `[${entries.join(',')}]` };
}

/** The answers every reconcile of `unit` needs to get past install with the package. */
export function installAnswers(unit: string, facts: ProbeFacts = {}): Record<string, RunAnswer> {
  const [probe, out] = probeAnswer(unit, facts);
  return {
    [probe]: out,
    [STOP_DISTRO_ETCD]: '',
    [versionCommand('/usr/bin/etcd')]: VERSION_OUTPUT,
    // A bootstrap waits for its client port to listen before handing out the first turn.
    [untilListeningCommand(envFor(unit), 10)]: '',
  };
}

/** What observeCommand prints: health's output, the two exit codes, then member list's. */
export function observeAnswer(
  list: { code?: number; stdout: string },
  health: { code: number; stdout: string },
): RunAnswer {
  return `${health.stdout}\n@@rune-both@@ ${list.code ?? 0} ${health.code}\n${list.stdout}`;
}

/** What `unit` sees looking at the cluster through `endpoints`: its member list and health. */
export function observeAnswers(
  unit: string,
  endpoints: readonly string[],
  members: readonly FakeMember[],
  unhealthy: readonly string[] = [],
  layout: Layout = layoutFor('package'),
): Record<string, RunAnswer> {
  const started = members.filter((m) => m.started !== false).map((m) => m.unit);
  const health = healthAnswer(
    started.filter((u) => !unhealthy.includes(u)),
    unhealthy,
  );
  return {
    [observeCommand(envFor(unit, layout), endpoints)]: observeAnswer(
      { stdout: memberListJson(members) },
      health,
    ),
  };
}

/** What `unit`'s own member answers: member list and health through its own endpoint. */
export function ownViewAnswers(
  unit: string,
  members: readonly FakeMember[],
  unhealthy: readonly string[] = [],
  layout: Layout = layoutFor('package'),
): Record<string, RunAnswer> {
  return {
    ...observeAnswers(unit, [clientUrl(unit)], members, unhealthy, layout),
    [waitHealthyCommand(envFor(unit, layout))]: '',
    [untilListeningCommand(envFor(unit, layout), 10)]: '',
  };
}

/** A unit with certificates issued, the peer relation holding `peers`, on a package install. */
export function unitState(
  unit: string,
  options: {
    leader?: boolean;
    peers?: readonly string[];
    peerExtra?: Record<string, Record<string, string>>;
    leaderSettings?: Record<string, string>;
    run?: Record<string, RunAnswer | readonly RunAnswer[]>;
    extraRelations?: HarnessRelation[];
    stored?: HarnessState['stored'];
  } = {},
): HarnessState {
  const number = (u: string) => Number(u.split('/')[1]);
  return {
    unit,
    isLeader: options.leader ?? false,
    // The model expects this unit and its peers (goal-state).
    goalUnits: [unit, ...(options.peers ?? [])].sort((a, b) => number(a) - number(b)),
    relations: [
      peersRelation(options.peers ?? [], options.peerExtra),
      certificatesRelation(unit),
      ...(options.extraRelations ?? []),
    ],
    leaderSettings: options.leaderSettings ?? {},
    ...(options.stored === undefined ? {} : { stored: options.stored }),
    machine: { hostname: `host-${nameOf(unit)}`, run: { ...installAnswers(unit), ...options.run } },
  };
}

/** etcd/N's own `endpoint status` + `member list` before a restart for new certificates; here
 * its member is silent, so there is no leadership to hand over. */
export function handoffProbe(unit: string): Record<string, RunAnswer> {
  const env = envFor(unit);
  const own = {
    endpoints: [env.clientUrl],
    cacert: env.tls.ca,
    cert: env.tls.serverCert,
    key: env.tls.serverKey,
    bin: env.layout.etcdctl,
  };
  const probe = bothCommand(
    etcdctlCommand(own, { op: 'endpoint status' }),
    etcdctlCommand(own, { op: 'member list' }),
  );
  return { [probe]: { code: 1, stdout: '\n@@rune-both@@ 1 1\n' } };
}
