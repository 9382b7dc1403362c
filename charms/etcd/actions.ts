// The etcd charm's actions (actions.yaml): snapshot, restore, health, compact, defrag. Each runs
// against this unit's own member; a failure the operator can act on fails the action with why.
import { randomBytes } from 'node:crypto';
import type { Handler } from 'rune/charm';
import { type Config, type Ctx, type Env, fullConfig, makeEnv } from './env.js';
import { LS, type MemberRecord, STATE } from './keys.js';
import { must } from './machine.js';
import { etcdctl, target, waitHealthyCommand } from './member-commands.js';
import { SERVICE, ensureService } from './service.js';
import { installedLayout } from './install.js';
import { observe } from './membership.js';
import { initialCluster, isStarted } from './workload/cluster.js';
import { EtcdActionError, EtcdWorkloadError } from './workload/errors.js';
import { restoreScript, snapshotScript } from './workload/backup.js';
import { expectSuccess, readEndpointStatus } from './workload/etcdctl.js';
import { configBlockedMessage, validateConfig } from './workload/validate.js';

function memberEnv(ctx: Ctx): Env {
  // The member's URLs and service flags come from config: a bad one must not reach etcd here
  // either (restore restarts the service with them).
  const invalid = configBlockedMessage(validateConfig(fullConfig(ctx)));
  if (invalid !== undefined) throw new EtcdActionError(invalid);
  const layout = installedLayout(ctx);
  if (layout === undefined || ctx.state.get(STATE.member) === undefined) {
    throw new EtcdActionError(`${ctx.unit} runs no etcd member yet`);
  }
  return makeEnv(ctx, layout);
}

function keyValues(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

function absolute(path: unknown, param: string): string {
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new EtcdActionError(`${param} must be an absolute path, got ${JSON.stringify(path)}`);
  }
  return path;
}

async function snapshot(ctx: Ctx): Promise<void> {
  const env = memberEnv(ctx);
  const dir = absolute(ctx.action?.params['target'], 'target');
  const script = snapshotScript(target(env, [env.clientUrl]), dir);
  const out = keyValues(await must(ctx, 'etcd snapshot', script, 600_000));
  for (const key of ['path', 'size', 'sha256']) ctx.action?.setResult(key, out.get(key) ?? '');
}

/** Limits: one-unit clusters only (others would keep the old data), and the restored data
 * starts a new cluster (new token), which units added later join. */
async function restore(ctx: Ctx): Promise<void> {
  const env = memberEnv(ctx);
  const params = ctx.action?.params ?? {};
  const archive = absolute(params['snapshot'], 'snapshot');
  const peers = ctx.relations('cluster')[0]?.units.length ?? 0;
  const view = await observe(ctx, env, [env.clientUrl]);
  const members = view?.members.length ?? 1;
  if (!ctx.isLeader || peers > 0 || members > 1) {
    throw new EtcdActionError(
      `restore needs a single-unit cluster (this one has ${Math.max(peers + 1, members)} ` +
        'members): remove the other units first, then add them back after the restore',
    );
  }
  const token = randomBytes(16).toString('hex');
  const cluster = initialCluster([{ name: env.name, peerUrl: env.peerUrl }]);
  const keep = params['skip-backup'] !== true;
  const script = restoreScript({
    target: target(env, [env.clientUrl]),
    archive,
    name: env.name,
    dataDir: env.dataDir,
    initialCluster: cluster,
    token,
    peerUrl: env.peerUrl,
    ...(keep ? { backupDir: absolute(params['target'], 'target') } : {}),
  });
  if ((await ctx.machine.services.status(SERVICE)).state !== 'missing') {
    await ctx.machine.services.stop(SERVICE);
  }
  const out = keyValues(await must(ctx, 'etcd snapshot restore', script, 600_000));
  const record: MemberRecord = { token, initialCluster: cluster, state: 'new' };
  ctx.state.set(STATE.member, record);
  ctx.leaderSettings.set(LS.token, token);
  ctx.leaderSettings.set(LS.cluster, cluster);
  ctx.leaderSettings.set(LS.clientUrls, env.clientUrl);
  await ensureService(ctx, env, record, false);
  await must(ctx, 'waiting for the restored etcd', waitHealthyCommand(env), 120_000);
  ctx.action?.setResult('restored', archive);
  const backup = out.get('backup');
  if (backup !== undefined) ctx.action?.setResult('backup', backup);
}

async function health(ctx: Ctx): Promise<void> {
  const env = memberEnv(ctx);
  const view = await observe(ctx, env, [env.clientUrl]);
  if (view === undefined) throw new EtcdActionError(`etcd on ${ctx.unit} does not answer`);
  let up = 0;
  for (const member of view.members) {
    const name = member.name || `unstarted-${member.idHex}`;
    const found = view.health.find((h) => member.clientUrls.includes(h.endpoint));
    let value = 'not started';
    if (found?.healthy === true) {
      up += 1;
      value = `healthy: ${found.endpoint} (took ${found.took})`;
    } else if (found !== undefined) {
      value = `unhealthy: ${found.endpoint}: ${found.error ?? 'no answer'}`;
    } else if (isStarted(member)) {
      value = 'unhealthy: no answer';
    }
    ctx.action?.setResult(name, value);
  }
  ctx.action?.setResult('summary', `${up} of ${view.members.length} members healthy`);
}

async function compact(ctx: Ctx): Promise<void> {
  const env = memberEnv(ctx);
  const params = ctx.action?.params ?? {};
  let revision: bigint;
  if (typeof params['revision'] === 'number') {
    revision = BigInt(params['revision']);
  } else {
    const status = readEndpointStatus(
      await etcdctl(ctx, env, [env.clientUrl], { op: 'endpoint status' }),
    );
    revision = status[0]?.revision ?? 0n;
  }
  const physical = params['physical'] === true;
  expectSuccess(
    'compact',
    await etcdctl(ctx, env, [env.clientUrl], { op: 'compact', revision, physical }),
  );
  ctx.action?.setResult('revision', revision.toString());
}

async function defrag(ctx: Ctx): Promise<void> {
  const env = memberEnv(ctx);
  expectSuccess('defrag', await etcdctl(ctx, env, [env.clientUrl], { op: 'defrag' }));
  ctx.action?.setResult('defragmented', env.clientUrl);
}

/** Failures the operator can act on fail the action with their message; bugs still throw. */
function action(run: (ctx: Ctx) => Promise<void>): Handler<Config> {
  return async (ctx) => {
    try {
      await run(ctx);
    } catch (error) {
      if (!(error instanceof EtcdWorkloadError)) throw error;
      ctx.action?.fail(error.message);
    }
  };
}

export const actions: Record<string, Handler<Config>> = {
  snapshot: action(snapshot),
  restore: action(restore),
  health: action(health),
  compact: action(compact),
  defrag: action(defrag),
};
