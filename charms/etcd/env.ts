// What every part of the etcd charm's wiring shares: the typed context, this unit's facts as one
// value (names, URLs, paths), the keys it keeps in bags and state, and the etcd service itself.
import { createHash } from 'node:crypto';
import type {
  CharmServiceSpec,
  CommandResult,
  HookContext,
  WriteBag,
} from '../../core/charm/index.js';
import { type ClusterState, httpsUrl } from './workload/cluster.js';
import { EtcdCommandError } from './workload/errors.js';
import {
  type EtcdctlOp,
  type EtcdctlTarget,
  bothCommand,
  etcdctlCommand,
} from './workload/etcdctl.js';
import { etcdCommand, etcdEnvironment } from './workload/flags.js';
import { type Layout, type TlsPaths, dataDir, memberName, tlsPaths } from './workload/paths.js';
import { retrying } from '../lib/shell.js';
import { ETCD_CONFIG_DEFAULTS, type EtcdConfig } from './workload/validate.js';

export type Config = { [K in keyof EtcdConfig]: EtcdConfig[K] };
export type Ctx = HookContext<Config>;

/** Leader settings: the cluster as the leader last saw it, and whose turn it is to join. */
export const LS = {
  /** `--initial-cluster-token`, generated once when the leader bootstraps. */
  token: 'token',
  /** Started members as an initial-cluster string (`etcd-0=https://…:2380,…`). */
  cluster: 'cluster',
  /** Started members' client URLs, sorted: where a joining unit runs `member add`. */
  clientUrls: 'client_urls',
  /** The one unit allowed to add itself now; absent when nobody may. */
  joining: 'joining',
} as const;

/** Peer unit bag: set once this unit's member is started and healthy (wakes the leader). */
export const MEMBER_STARTED = 'member-started';
/** Peer unit bag: set once this unit's certificates are written (it can join when told). */
export const MEMBER_READY = 'member-ready';

/** ctx.state keys. */
export const STATE = {
  installed: 'installed',
  tlsDigest: 'tls-digest',
  /** The shared client certificate last written (it changes nothing for the member). */
  clientDigest: 'client-digest',
  /** The service spec last installed: hooks that change nothing skip comparing it. */
  serviceDigest: 'service-digest',
  member: 'member',
} as const;

export const SERVICE = 'etcd';

/** How this unit's member was first started; reused so membership changes never restart it. */
export type MemberRecord = { token: string; initialCluster: string; state: ClusterState };

export interface Env {
  unit: string;
  /** The etcd member name, `etcd-0`. */
  name: string;
  address: string;
  clientUrl: string;
  peerUrl: string;
  config: EtcdConfig;
  /** Debian's name for the machine's architecture; empty when not known. */
  arch: string;
  layout: Layout;
  tls: TlsPaths;
  dataDir: string;
}

export function fullConfig(ctx: Ctx): EtcdConfig {
  return { ...ETCD_CONFIG_DEFAULTS, ...ctx.config };
}

export function makeEnv(ctx: Ctx, layout: Layout): Env {
  const arch = ctx.state.get<{ arch?: string }>(STATE.installed)?.arch ?? '';
  return envOf(ctx.unit, ctx.address, fullConfig(ctx), layout, arch);
}

/** This unit's facts from plain values (tests build the commands a unit runs with it). */
export function envOf(
  unit: string,
  address: string,
  config: EtcdConfig,
  layout: Layout,
  arch = '',
): Env {
  const name = memberName(unit);
  return {
    unit,
    arch,
    name,
    address,
    clientUrl: httpsUrl(address, config.port),
    peerUrl: httpsUrl(address, config.management_port),
    config,
    layout,
    tls: tlsPaths(layout.tlsDir),
    dataDir: dataDir(name, layout.dataRoot),
  };
}

export function text(data: Buffer | string): string {
  return typeof data === 'string' ? data : data.toString('utf8');
}

/** Runs a command that must succeed; `what` names it in the error. */
export async function must(
  ctx: Ctx,
  what: string,
  command: string,
  timeoutMs?: number,
): Promise<string> {
  const result = await ctx.machine.run(
    command,
    timeoutMs === undefined ? undefined : { timeoutMs },
  );
  if (result.code !== 0) {
    throw new EtcdCommandError(what, result.code, text(result.stderr) || text(result.stdout));
  }
  return text(result.stdout);
}

/**
 * etcdctl as this unit: the member's own certificate (serverAuth and clientAuth, the identity it
 * shows its peers too), this install's etcdctl. Not the shared client certificate, which comes
 * later: a member bootstraps and joins without it.
 */
export function target(env: Env, endpoints: readonly string[]): EtcdctlTarget {
  return {
    endpoints,
    cacert: env.tls.ca,
    cert: env.tls.serverCert,
    key: env.tls.serverKey,
    bin: env.layout.etcdctl,
  };
}

export function etcdctl(
  ctx: Ctx,
  env: Env,
  endpoints: readonly string[],
  op: EtcdctlOp,
): Promise<CommandResult> {
  return ctx.machine.run(etcdctlCommand(target(env, endpoints), op));
}

/**
 * Whether this unit's client port listens (true where ss is missing: etcdctl alone decides then).
 * An etcdctl that dials a closed port sits in gRPC's reconnect backoff (a full second) instead
 * of failing, so asking a member that is still starting would hide its start.
 */
function listening(env: Env): string {
  return `{ ! command -v ss >/dev/null 2>&1 || ss -Hltn 'sport = :${env.config.port}' | grep -q .; }`;
}

/**
 * Waits up to `seconds` for this unit's client port to listen; succeeds either way. Polled every
 * 20 ms (one ss each): a member starts listening ~0.1 s after it is started, and the bootstrap
 * and every join wait on this.
 */
export function untilListeningCommand(env: Env, seconds: number): string {
  const polls = Math.ceil(seconds / 0.02);
  return `w=0; until ${listening(env)} || [ "$w" -ge ${polls} ]; do w=$((w+1)); sleep 0.02; done`;
}

/**
 * member list and `endpoint health --cluster` through `endpoints`, at once (bothCommand). This
 * unit's own member may have been started moments before: its port is waited for first.
 */
export function observeCommand(env: Env, endpoints: readonly string[]): string {
  const list = etcdctlCommand(target(env, endpoints), { op: 'member list' });
  const health = etcdctlCommand(target(env, endpoints), { op: 'endpoint health', cluster: true });
  const own = endpoints.length === 1 && endpoints[0] === env.clientUrl;
  return `${own ? `${untilListeningCommand(env, 10)}; ` : ''}${bothCommand(list, health)}`;
}

/**
 * This unit's own endpoint answers a health check, waiting up to ~30 s for it to start. Polled
 * every 0.05 s: a new member is ready anywhere from 0.1 s to a second after it starts (its first
 * election), and every join waits on this.
 */
export function waitHealthyCommand(env: Env): string {
  const health = etcdctlCommand(target(env, [env.clientUrl]), { op: 'endpoint health' });
  return retrying(`${listening(env)} && ${health}`, 600, 0.05);
}

/**
 * Adds this unit's member through `endpoints`. Refused while the cluster has no leader yet, or
 * within 5 s of a member starting under strict reconfiguration checks ("unhealthy cluster"):
 * retried briefly and often, on the machine.
 */
export function memberAddCommand(env: Env, endpoints: readonly string[]): string {
  const add = etcdctlCommand(target(env, endpoints), {
    op: 'member add',
    name: env.name,
    peerUrls: [env.peerUrl],
  });
  return retrying(add, 400, 0.05);
}

export function serviceSpec(env: Env, member: MemberRecord): CharmServiceSpec {
  const c = env.config;
  const command = etcdCommand(
    {
      name: env.name,
      dataDir: env.dataDir,
      address: env.address,
      clientPort: c.port,
      peerPort: c.management_port,
      bindToAll: c.bind_to_all_interfaces,
      insecureHttp: c.bind_with_insecure_http,
      clusterToken: member.token,
      initialCluster: member.initialCluster,
      initialState: member.state,
      tls: { ca: env.tls.ca, cert: env.tls.serverCert, key: env.tls.serverKey },
      heartbeatIntervalMs: c.heartbeat_interval,
      electionTimeoutMs: c.election_timeout,
      snapshotCount: c.snapshot_count,
      cipherSuites: c.tls_cipher_suites,
    },
    env.layout.etcd,
  );
  // on-failure: a member removed from the cluster exits 0 and must stay down.
  const environment = etcdEnvironment(env.arch);
  return {
    name: SERVICE,
    command,
    ...(Object.keys(environment).length > 0 ? { env: environment } : {}),
    restart: 'on-failure',
  };
}

/**
 * Declares and runs the service; restarts it when its flags or its certificates changed. The
 * definition is compared on the machine only when the spec differs from the one this unit last
 * installed (a digest in ctx.state): most hooks then cost one round trip here, a `start` that
 * finds etcd running. A definition gone from the machine fails that start and is put back.
 */
export async function ensureService(
  ctx: Ctx,
  env: Env,
  member: MemberRecord,
  tlsChanged: boolean,
): Promise<void> {
  const spec = serviceSpec(env, member);
  const digest = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
  if (!tlsChanged && ctx.state.get(STATE.serviceDigest) === digest) {
    try {
      await ctx.machine.services.start(SERVICE);
      return;
    } catch {
      ctx.log.warn(`the ${SERVICE} service did not start as installed; installing it again`);
    }
  }
  await ctx.machine.services.ensure(spec, { restart: tlsChanged });
  ctx.state.set(STATE.serviceDigest, digest);
}

/** Splits a comma-separated bag value; empty parts dropped. */
export function list(value: string | undefined): string[] {
  return (value ?? '').split(',').filter((part) => part !== '');
}

/** Sets a bag key only when it differs, deleting it for undefined. */
export function put(bag: WriteBag, key: string, value: string | undefined): void {
  if (value === undefined || value === '') {
    if (bag.get(key) !== undefined) bag.delete(key);
  } else if (bag.get(key) !== value) bag.set(key, value);
}

/** `etcd/10` → 10, for ordering units as people count them. */
export function unitNumber(unit: string): number {
  return Number(unit.slice(unit.indexOf('/') + 1));
}
