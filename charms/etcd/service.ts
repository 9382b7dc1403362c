// The etcd service on the unit's machine: its spec from this unit's Env and member record, and
// declaring and running it with as few round trips as a hook can get away with.
import { createHash } from 'node:crypto';
import type { CharmServiceSpec } from 'rune/charm';
import type { Ctx, Env } from './env.js';
import { type MemberRecord, STATE } from './keys.js';
import { handOffLeadership, stampRestart } from './leader-handoff.js';
import { etcdCommand, etcdEnvironment } from './workload/flags.js';

export const SERVICE = 'etcd';

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
 * Declares and runs the service; restarts it when its flags or its certificates changed, and
 * says whether it did (the member is then asked until it serves again). The definition is
 * compared on the machine only when the spec differs from the one this unit last installed (a
 * digest in ctx.state): most hooks then cost one round trip here, a `start` that finds etcd
 * running. A definition gone from the machine fails that start and is put back. A running
 * member that leads hands its leadership over before it restarts.
 */
export async function ensureService(
  ctx: Ctx,
  env: Env,
  member: MemberRecord,
  tlsChanged: boolean,
): Promise<{ restarted: boolean }> {
  const spec = serviceSpec(env, member);
  const digest = createHash('sha256').update(JSON.stringify(spec)).digest('hex');
  const installed = ctx.state.get<string>(STATE.serviceDigest);
  if (!tlsChanged && installed === digest) {
    try {
      await ctx.machine.services.start(SERVICE);
      return { restarted: false };
    } catch {
      ctx.log.warn(`the ${SERVICE} service did not start as installed; installing it again`);
    }
  }
  // A member this unit ran before, about to change: a restart is coming.
  if (installed !== undefined && (tlsChanged || installed !== digest)) {
    await handOffLeadership(ctx, env);
  }
  const changed = await ctx.machine.services.ensure(spec, { restart: tlsChanged });
  ctx.state.set(STATE.serviceDigest, digest);
  const restarted = changed || tlsChanged;
  if (restarted && installed !== undefined) stampRestart(ctx);
  return { restarted };
}
