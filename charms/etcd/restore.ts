// The restore action (issue 15 B4): the leader checks the snapshot and restores it beside its
// data while its member still runs, then swaps it in as a ONE-member cluster under a new token
// and publishes that token; every other unit sees it, leaves, and joins again in turn (rejoin.ts).
import { randomBytes } from 'node:crypto';
import { absolute, keyValues, memberEnv } from './action-env.js';
import type { Ctx, Env } from './env.js';
import { LS, MEMBER_STARTED, type MemberRecord, STATE } from './keys.js';
import { must, text } from './machine.js';
import { etcdctl, target, waitHealthyCommand } from './member-commands.js';
import { markPeer, publishRestored } from './membership.js';
import { SERVICE, ensureService } from './service.js';
import {
  parseSnapshotStatus,
  refusalReason,
  restorePrepareScript,
  restoreSwapScript,
} from './workload/backup.js';
import { initialCluster } from './workload/cluster.js';
import { EtcdActionError } from './workload/errors.js';
import { readKeyCount } from './workload/etcdctl.js';

/** The archive to restore: the `snapshot` param (a path on this unit), else the attached
 * `snapshot` resource, fetched onto this machine. */
async function snapshotFile(ctx: Ctx): Promise<string> {
  const param = ctx.action?.params['snapshot'];
  if (param !== undefined) return absolute(param, 'snapshot');
  const attached = await ctx.resource('snapshot');
  if (attached !== undefined) return attached;
  throw new EtcdActionError(
    `no snapshot to restore: attach one (rune attach-resource ${ctx.app} ` +
      `snapshot=./etcd-snapshot-….tar.gz) or give snapshot=PATH, a file on ${ctx.unit}`,
  );
}

function sha256Param(ctx: Ctx): string | undefined {
  // actions.yaml's pattern has checked it: 64 lowercase hex digits.
  const value = ctx.action?.params['sha256'];
  return typeof value === 'string' ? value : undefined;
}

export async function restore(ctx: Ctx): Promise<void> {
  if (!ctx.isLeader) {
    throw new EtcdActionError(
      `${ctx.unit} is not the leader; the leader restores and the others rejoin: ` +
        `rune run ${ctx.app}/leader restore`,
    );
  }
  const env = memberEnv(ctx);
  const params = ctx.action?.params ?? {};
  const backupDir =
    params['skip-backup'] === false ? absolute(params['target'], 'target') : undefined;
  const archive = await snapshotFile(ctx);
  const sha256 = sha256Param(ctx);
  const record: MemberRecord = {
    token: randomBytes(16).toString('hex'),
    initialCluster: initialCluster([{ name: env.name, peerUrl: env.peerUrl }]),
    state: 'new',
  };
  const prepared = await ctx.machine.run(
    restorePrepareScript({
      target: target(env, [env.clientUrl]),
      archive,
      ...(sha256 === undefined ? {} : { sha256 }),
      name: env.name,
      dataDir: env.dataDir,
      initialCluster: record.initialCluster,
      token: record.token,
      peerUrl: env.peerUrl,
    }),
    { timeoutMs: 600_000 },
  );
  if (prepared.code !== 0) {
    const why = refusalReason(text(prepared.stderr)) ?? `exit code ${prepared.code}`;
    throw new EtcdActionError(`cannot restore ${archive}: ${why}; nothing was changed`);
  }
  const out = keyValues(text(prepared.stdout));
  const status = parseSnapshotStatus(out.get('status') ?? '');

  // From here the member's data is replaced: whatever fails after the swap is reported with the
  // new state committed, so the next hook runs the restored member rather than the old flags.
  if ((await ctx.machine.services.status(SERVICE)).state !== 'missing') {
    await ctx.machine.services.stop(SERVICE);
  }
  const swapped = keyValues(
    await must(ctx, 'swapping in the restored data', restoreSwapScript(env.dataDir, backupDir)),
  );
  ctx.state.set(STATE.member, record);
  // A first start of a new cluster: there is no leadership to hand over.
  ctx.state.delete(STATE.serviceDigest);
  publishRestored(ctx, env, record);
  const results: Record<string, string> = {
    snapshot: archive,
    sha256: out.get('sha256') ?? '',
    'snapshot-revision': status.revision.toString(),
  };
  const backup = swapped.get('backup');
  if (backup !== undefined) results['backup'] = backup;
  try {
    await startRestored(ctx, env, record, results);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new EtcdActionError(`restored the data from ${archive}, but ${why}`);
  } finally {
    for (const [key, value] of Object.entries(results)) ctx.action?.setResult(key, value);
  }
}

/** Starts the restored member, waits until it serves, and counts what it holds. */
async function startRestored(
  ctx: Ctx,
  env: Env,
  record: MemberRecord,
  results: Record<string, string>,
): Promise<void> {
  await ensureService(ctx, env, record, false);
  await must(ctx, 'waiting for the restored etcd', waitHealthyCommand(env), 120_000);
  markPeer(ctx, MEMBER_STARTED);
  const { keys, revision } = readKeyCount(
    await etcdctl(ctx, env, [env.clientUrl], { op: 'count' }),
  );
  const rejoining = (ctx.leaderSettings.get(LS.joining) ?? '').split(',').filter(Boolean);
  results['keys'] = keys.toString();
  results['revision'] = revision.toString();
  results['rejoining'] = rejoining.length === 0 ? 'none' : rejoining.join(', ');
  // The status from before the restore named the old cluster's members; until the others rejoin
  // (and this unit's next hook counts them) it would claim a health the cluster no longer has.
  if (rejoining.length > 0) {
    ctx.status.set(
      'waiting',
      `Restored from a snapshot; waiting for ${rejoining.join(', ')} to rejoin`,
    );
  }
  ctx.log.info(
    `restored ${keys} keys at revision ${revision} as a one-member cluster` +
      (rejoining.length === 0 ? '' : `; ${rejoining.join(', ')} rejoin it one at a time`),
  );
}
