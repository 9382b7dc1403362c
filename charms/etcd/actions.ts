// The etcd charm's actions (actions.yaml): snapshot, restore (restore.ts), health, compact,
// defrag. Each runs against this unit's own member; a failure the operator can act on fails the
// action with why.
import type { Handler } from 'rune/charm';
import { absolute, keyValues, memberEnv } from './action-env.js';
import type { Config, Ctx } from './env.js';
import { must } from './machine.js';
import { etcdctl, target } from './member-commands.js';
import { observe } from './membership.js';
import { restore } from './restore.js';
import { isStarted } from './workload/cluster.js';
import { EtcdActionError, EtcdWorkloadError } from './workload/errors.js';
import { snapshotScript } from './workload/backup.js';
import { expectSuccess, readEndpointStatus } from './workload/etcdctl.js';

async function snapshot(ctx: Ctx): Promise<void> {
  const env = memberEnv(ctx);
  const dir = absolute(ctx.action?.params['target'], 'target');
  const script = snapshotScript(target(env, [env.clientUrl]), dir);
  const out = keyValues(await must(ctx, 'etcd snapshot', script, 600_000));
  for (const key of ['path', 'size', 'sha256']) ctx.action?.setResult(key, out.get(key) ?? '');
  // As Charmed Kubernetes' result does: how to get the archive off the machine.
  const path = out.get('path');
  if (path !== undefined) ctx.action?.setResult('copy', `rune scp ${ctx.unit}:${path} .`);
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
