// easyrsa's backup, list-backups and restore actions on the harness's fake machine: it keeps
// the files the charm writes and answers tar/ls from a table (it does not run them), so a
// restore is fed the very files a backup staged, as its archive would have held them.
import { describe, expect, it } from 'vitest';
import type { HarnessState } from '../../../core/charm/index.js';
import type { RunAnswer } from '../../../core/charm/index.js';
import {
  caOf,
  etcdRelation,
  harness,
  issuedBy,
  leader,
  ok,
  rel,
  serverRequest,
} from './fixtures.js';

const DIR = '/var/lib/easyrsa/backups';
const STAGING = '/var/lib/easyrsa/backup-staging';
const UNPACKED = '/var/lib/easyrsa/restore-staging';
const FILES = 'ca.crt ca.key client.crt client.key issued.json';
const BACKUP =
  `umask 077; mkdir -p ${DIR} && name=easyrsa-backup-$(date -u +%Y%m%d-%H%M%S).tar.gz && ` +
  `tar -czf ${DIR}/$name -C ${STAGING} ${FILES}; code=$?; rm -rf ${STAGING}; ` +
  `[ $code -eq 0 ] && echo $name; exit $code`;
const LS = `ls -1 ${DIR} 2>/dev/null || true`;
const unpack = (name: string) =>
  `umask 077; rm -rf ${UNPACKED} && mkdir -p ${UNPACKED} && ` +
  `tar -xzf ${DIR}/${name} -C ${UNPACKED} ${FILES}`;
const CLEAN = `rm -rf ${UNPACKED}`;
const NAME = 'easyrsa-backup-20250601-100000.tar.gz';

const ETCD0 = serverRequest('etcd-0', ['10.0.0.1']);

/** A leader that has served etcd/0, with a machine that answers `run`. */
async function served(run: Record<string, RunAnswer> = {}): Promise<HarnessState> {
  const installed = await ok(harness.run(leader(), 'install'));
  const state = { ...installed.state, relations: [etcdRelation({ 'etcd/0': ETCD0 })] };
  const hook = { kind: 'relation-changed', relationId: 1, remoteUnit: 'etcd/0' } as const;
  const out = await ok(harness.run(state, hook));
  return { ...out.state, machine: { ...out.state.machine, run } };
}

describe('easyrsa: backup', () => {
  it('the leader makes the shared client certificate first if it has not yet; a follower cannot', async () => {
    const state = await served({ [BACKUP]: `${NAME}\n` });
    expect(state.leaderSettings?.['client.crt']).toBeUndefined();
    const out = await ok(harness.runAction(state, 'backup'));
    expect(out.action?.failed).toBeUndefined();
    const client = out.state.leaderSettings?.['client.crt'];
    expect(issuedBy(client, caOf(state))).toBe(true);
    expect(out.state.machine?.files?.[`${STAGING}/client.crt`]).toBe(client);

    const follower = await ok(harness.runAction({ ...state, isLeader: false }, 'backup'));
    expect(follower.action?.failed).toBe(
      'the leader has not made the shared client certificate yet; run the backup again shortly',
    );
  });

  it('stages the CA, the client and issued certificates 0600, archives them, names the archive', async () => {
    const state = await served({ [BACKUP]: `${NAME}\n` });
    const out = await ok(harness.runAction(state, 'backup'));
    expect(out.action?.failed).toBeUndefined();
    expect(out.action?.results).toMatchObject({ name: NAME, path: `${DIR}/${NAME}` });
    const writes = out.machineCalls.filter((c) => c.op === 'writeFile');
    expect(writes.map((c) => [c.path, c.mode])).toEqual(
      FILES.split(' ').map((f) => [`${STAGING}/${f}`, 0o600]),
    );
    expect(out.machineCalls.at(-1)).toEqual({ op: 'run', command: BACKUP });
    const files = out.state.machine?.files ?? {};
    expect(files[`${STAGING}/ca.key`]).toBe(state.leaderSettings?.['ca.key']);
    const issued = JSON.parse(files[`${STAGING}/issued.json`] ?? '{}') as Record<string, unknown>;
    expect(Object.keys(issued)).toEqual(['etcd']);
    expect(issued['etcd']).toMatchObject({
      'etcd_0.server.cert': rel(state).app?.['etcd_0.server.cert'],
    });
    expect(JSON.stringify(out.action?.results)).not.toContain('PRIVATE KEY');
  });

  it('fails, saying why, when there is no CA yet or tar fails', async () => {
    const none = await ok(harness.runAction({ unit: 'easyrsa/1' }, 'backup'));
    expect(none.action?.failed).toBe(
      'there is no CA to back up yet: the leader has not created it',
    );
    const state = await served({ [BACKUP]: { code: 2, stderr: 'tar: No space left on device\n' } });
    const out = await ok(harness.runAction(state, 'backup'));
    expect(out.action?.failed).toBe(
      'the archive could not be written: tar: No space left on device',
    );
  });
});

describe('easyrsa: list-backups', () => {
  it('lists archives newest first, ignoring other files', async () => {
    const listing = [
      'easyrsa-backup-20250101-080000.tar.gz',
      'notes.txt',
      'easyrsa-backup-20250601-100000.tar.gz',
      'easyrsa-backup-20250301-120000.tar.gz',
    ].join('\n');
    const state: HarnessState = { unit: 'easyrsa/0', machine: { run: { [LS]: `${listing}\n` } } };
    const out = await ok(harness.runAction(state, 'list-backups'));
    expect(out.action?.results).toEqual({
      backups: [
        'easyrsa-backup-20250601-100000.tar.gz',
        'easyrsa-backup-20250301-120000.tar.gz',
        'easyrsa-backup-20250101-080000.tar.gz',
      ].join('\n'),
      count: '3',
    });
  });

  it('with no backup folder yet, lists none', async () => {
    const out = await ok(
      harness.runAction({ unit: 'easyrsa/0', machine: { run: { [LS]: '' } } }, 'list-backups'),
    );
    expect(out.action?.results).toEqual({ backups: '', count: '0' });
  });
});

describe('easyrsa: restore', () => {
  /** A backup of one deployment, then a second CA: the state a restore starts from. */
  async function afterRebuild(): Promise<{ backedUp: HarnessState; rebuilt: HarnessState }> {
    const original = await served({ [BACKUP]: `${NAME}\n` });
    const backedUp = (await ok(harness.runAction(original, 'backup'))).state;
    const staged = backedUp.machine?.files ?? {};
    const archive = Object.fromEntries(
      FILES.split(' ').map((f) => [`${UNPACKED}/${f}`, staged[`${STAGING}/${f}`] ?? '']),
    );
    // A new CA since (the leader settings were lost), and etcd/1 joined meanwhile.
    const fresh = await served();
    const relations = [
      { ...rel(fresh), remoteUnits: { 'etcd/0': ETCD0, 'etcd/1': serverRequest('etcd-1', []) } },
    ];
    const run = { [LS]: `${NAME}\n`, [unpack(NAME)]: '', [CLEAN]: '' };
    return { backedUp, rebuilt: { ...fresh, relations, machine: { files: archive, run } } };
  }

  it('puts the archived CA back; related units get certificates from it', async () => {
    const { backedUp, rebuilt } = await afterRebuild();
    const out = await ok(harness.runAction(rebuilt, 'restore', { name: NAME }));
    expect(out.action?.failed).toBeUndefined();
    expect(out.action?.results['restored']).toBe(NAME);
    const ca = caOf(backedUp);
    expect(caOf(out.state)).toBe(ca);
    // The authority comes back; the record of what is out follows what reconcile published.
    const authority = (settings: Record<string, string> = {}) =>
      Object.fromEntries(Object.entries(settings).filter(([key]) => key !== 'certificates'));
    expect(authority(out.state.leaderSettings)).toEqual(authority(backedUp.leaderSettings));
    const bag = rel(out.state).local ?? {};
    expect(bag['ca']).toBe(ca);
    // etcd/0 asks as it did at backup time: it gets back the archived certificate itself.
    expect(bag['etcd_0.server.cert']).toBe(rel(backedUp).app?.['etcd_0.server.cert']);
    expect(issuedBy(bag['etcd_1.server.cert'], ca)).toBe(true);
    expect(rel(out.state).app).toEqual(
      Object.fromEntries(Object.entries(bag).filter(([k]) => k !== 'private-address')),
    );
    expect(out.machineCalls.filter((c) => c.op === 'run').at(-1)).toEqual({
      op: 'run',
      command: CLEAN,
    });
    expect(out.state.status).toEqual({
      kind: 'active',
      message: 'Certificate Authority connected.',
    });
  });

  it('runs on the leader only', async () => {
    const { rebuilt } = await afterRebuild();
    const out = await ok(
      harness.runAction({ ...rebuilt, unit: 'easyrsa/1', isLeader: false }, 'restore', {
        name: NAME,
      }),
    );
    expect(out.action?.failed).toMatch(/^restore runs on the leader only/);
    expect(out.outcome?.leaderSettings).toEqual({});
  });

  it('refuses a name that is not a listed archive', async () => {
    const { rebuilt } = await afterRebuild();
    const bad = await ok(harness.runAction(rebuilt, 'restore', { name: '../../etc/shadow' }));
    expect(bad.action?.failed).toBe(
      '"../../etc/shadow" is not a backup name; list-backups shows the names',
    );
    const missing = 'easyrsa-backup-20200101-000000.tar.gz';
    const absent = await ok(harness.runAction(rebuilt, 'restore', { name: missing }));
    expect(absent.action?.failed).toBe(`there is no backup named ${missing} in ${DIR}`);
    expect(absent.outcome?.leaderSettings).toEqual({});
  });

  it('refuses an archive whose CA key does not match its certificate, changing nothing', async () => {
    const { rebuilt } = await afterRebuild();
    const files = {
      ...rebuilt.machine?.files,
      [`${UNPACKED}/ca.key`]: rebuilt.leaderSettings?.['ca.key'] ?? '',
    };
    const out = await ok(
      harness.runAction({ ...rebuilt, machine: { ...rebuilt.machine, files } }, 'restore', {
        name: NAME,
      }),
    );
    expect(out.action?.failed).toBe(
      `${NAME} cannot be restored: the CA certificate and the CA private key do not belong together`,
    );
    expect(out.outcome?.leaderSettings).toEqual({});
    expect(out.outcome?.relations).toEqual([]);
  });
});
