// The etcd charm in the harness: config, install source, certificates, the leader's bootstrap,
// status from a real health check and the db relation. Joins and departures: membership.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type HarnessState, loadCharmModule } from '../../../core/charm/index.js';
import { unitProbeCommand } from '../../../charms/etcd/charm.js';
import { layoutFor } from '../../../charms/etcd/workload/paths.js';
import {
  STOP_DISTRO_ETCD,
  extractCommand,
  archiveProbeCommand,
  versionCommand,
} from '../../../charms/etcd/workload/install-steps.js';
import {
  CA,
  CERTS_ID,
  CLIENT_CERT,
  CLIENT_KEY,
  DB_ID,
  PEERS_ID,
  VERSION_OUTPUT,
  certificatesRelation,
  clientUrl,
  harness,
  member,
  ownViewAnswers,
  peersRelation,
  probeAnswer,
  envFor,
  serverCert,
  serverKey,
  unitState,
} from './fixtures.js';
import { serverDigest } from '../../../charms/etcd/tls.js';

const alone = unitState('etcd/0', {
  leader: true,
  run: ownViewAnswers('etcd/0', [member('etcd/0')]),
});

/** `state` whose probe reports the package's etcd binary with this stamp (inode:size:mtime). */
function withStampOf(state: typeof alone, stamp: string): typeof alone {
  const [probe, facts] = probeAnswer('etcd/0', { etcdStamp: stamp });
  const machine = state.machine ?? {};
  return { ...state, machine: { ...machine, run: { ...machine.run, [probe]: facts } } };
}

describe('etcd: before the cluster', () => {
  it('blocks on a port out of range and touches nothing', async () => {
    const out = await harness.run({ ...alone, config: { port: 70000 } }, 'config-changed');
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message: 'Invalid config: port must be an integer from 1 to 65535, got 70000',
    });
    expect(out.machineCalls).toEqual([]);
  });

  it('installs the Debian packages and stops the package’s own etcd', async () => {
    const [probe, facts] = probeAnswer('etcd/0', { package: 'available' });
    const out = await harness.run(
      { ...alone, machine: { run: { ...alone.machine?.run, [probe]: facts } } },
      'install',
    );
    expect(out.ok).toBe(true);
    expect(out.state.machine?.packages).toEqual(['etcd-client', 'etcd-server']);
    expect(out.machineCalls).toContainEqual({ op: 'run', command: STOP_DISTRO_ETCD });
    expect(out.state.machine?.services?.['etcd']?.spec.command[0]).toBe('/usr/bin/etcd');
  });

  it('auto without package, snap, archive or resource: blocked, naming what to attach', async () => {
    const [probe, facts] = probeAnswer('etcd/0', { package: 'none' });
    const state = {
      ...alone,
      machine: { run: { [probe]: facts, [archiveProbeCommand('amd64')]: { code: 6 } } },
    };
    const out = await harness.run(state, 'install');
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message:
        'Missing etcd resource: rune attach-resource etcd etcd=./etcd-v3.4.23-linux-amd64.tar.gz',
    });
    expect(out.state.machine?.services).toEqual({});
  });

  it('a machine with no shell for its probe (a sim machine): blocked, saying so, nothing done', async () => {
    const [probe] = probeAnswer('etcd/0');
    const notFound = { code: 127, stderr: 'sim: echo: command not found\n' };
    const out = await harness.run({ ...alone, machine: { run: { [probe]: notFound } } }, 'install');
    expect(out.ok).toBe(true);
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message: 'this machine cannot run etcd: its shell is missing (sim: echo: command not found)',
    });
    expect(out.state.machine?.packages ?? []).toEqual([]);
    expect(out.state.machine?.services).toEqual({});
  });

  it('auto with an attached resource unpacks it and runs that etcd', async () => {
    const [probe, facts] = probeAnswer('etcd/0', { package: 'none' });
    const tarball = '/var/lib/rune/resources/etcd/etcd.tar.gz';
    const state = {
      ...alone,
      resources: { etcd: tarball },
      machine: {
        run: {
          [probe]: facts,
          [archiveProbeCommand('amd64')]: { code: 6 },
          [extractCommand(tarball, '/opt/etcd/bin')]: '',
          [versionCommand('/opt/etcd/bin/etcd')]: VERSION_OUTPUT,
          ...ownViewAnswers('etcd/0', [member('etcd/0')], [], layoutFor('resource')),
        },
      },
    };
    const out = await harness.run(state, 'install');
    expect(out.ok).toBe(true);
    expect(out.state.machine?.services?.['etcd']?.spec.command[0]).toBe('/opt/etcd/bin/etcd');
    expect(out.machineCalls).toContainEqual({
      op: 'run',
      command: extractCommand(tarball, '/opt/etcd/bin'),
    });
    expect(out.state.stored?.['installed']).toEqual({
      setting: 'auto',
      source: 'resource',
      arch: 'amd64',
      hostname: 'host-etcd-0',
      resource: tarball,
    });
  });

  it('without a certificates relation: blocked, as Charmed Kubernetes says it', async () => {
    const out = await harness.run({ ...alone, relations: [peersRelation([])] }, 'config-changed');
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message: 'Missing relation to certificate authority.',
    });
  });

  it('asks for its certificate first, installs next, then waits without touching the machine', async () => {
    const state = {
      ...alone,
      relations: [peersRelation([]), certificatesRelation('etcd/0', false)],
    };
    const request = await harness.run(state, 'install');
    // The request goes out before anything runs on the machine, so the CA signs meanwhile.
    expect(request.machineCalls).toEqual([]);
    expect(request.state.relations?.[1]?.local?.['common_name']).toBe('192.0.2.1');
    const first = await harness.run(request.state, 'config-changed');
    expect(first.machineCalls).toContainEqual({ op: 'run', command: unitProbeCommand('etcd/0') });
    const again = await harness.run(first.state, {
      kind: 'relation-changed',
      relationId: 2,
      remoteUnit: 'easyrsa/0',
    });
    expect(again.ok).toBe(true);
    expect(again.machineCalls).toEqual([]);
    expect(again.state.status).toEqual({ kind: 'waiting', message: 'Waiting for certificates' });
    expect(JSON.parse(again.state.relations?.[1]?.local?.['sans'] ?? '[]')).toContain(
      'host-etcd-0',
    );
  });

  it('requests its server certificate and waits until CA, server and client certs arrive', async () => {
    const state = {
      ...alone,
      relations: [peersRelation([]), certificatesRelation('etcd/0', false)],
    };
    const out = await harness.run(state, 'config-changed');
    expect(out.state.status).toEqual({ kind: 'waiting', message: 'Waiting for certificates' });
    const bag = out.state.relations?.[1]?.local ?? {};
    expect(bag['common_name']).toBe('192.0.2.1');
    expect(JSON.parse(bag['sans'] ?? '[]')).toEqual([
      '127.0.0.1',
      '192.0.2.1',
      'host-etcd-0',
      'localhost',
    ]);
    expect(out.state.machine?.services).toEqual({});
  });
});

describe('etcd: the leader bootstraps', () => {
  it('starts a one-member cluster with a fresh token and publishes it in leader settings', async () => {
    const out = await harness.run(alone, 'install');
    expect(out.ok).toBe(true);
    const token = out.state.leaderSettings?.['token'] ?? '';
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(out.state.leaderSettings).toEqual({
      token,
      cluster: 'etcd-0=https://192.0.2.1:2380',
      client_urls: 'https://192.0.2.1:2379',
    });
    const service = out.state.machine?.services?.['etcd'];
    expect(service?.state).toBe('running');
    expect(service?.spec.command).toEqual(
      expect.arrayContaining([
        '--name=etcd-0',
        '--data-dir=/var/lib/etcd/etcd-0',
        `--initial-cluster-token=${token}`,
        '--initial-cluster=etcd-0=https://192.0.2.1:2380',
        '--initial-cluster-state=new',
        '--advertise-client-urls=https://192.0.2.1:2379',
        '--cert-file=/etc/etcd/tls/server.crt',
        '--client-cert-auth',
      ]),
    );
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 1 known peer' });
  });

  it('writes the TLS files, keys 0600', async () => {
    const out = await harness.run(alone, 'install');
    const files = out.state.machine?.files ?? {};
    expect(files['/etc/etcd/tls/ca.crt']).toBe(CA);
    expect(files['/etc/etcd/tls/server.key']).toBe(serverKey('etcd/0'));
    expect(files['/etc/etcd/tls/client.crt']).toBe(CLIENT_CERT);
    const modes = Object.fromEntries(
      out.machineCalls.flatMap((c) => (c.op === 'writeFile' ? [[c.path, c.mode]] : [])),
    );
    expect(modes['/etc/etcd/tls/server.key']).toBe(0o600);
    expect(modes['/etc/etcd/tls/client.key']).toBe(0o600);
    expect(modes['/etc/etcd/tls/server.crt']).toBe(0o644);
  });

  it('asks etcd its version again only when the binary changed; leaves an unchanged service alone', async () => {
    const withStamp = withStampOf;
    const version = { op: 'run', command: versionCommand('/usr/bin/etcd') };
    const first = await harness.run(withStamp(alone, '11:100:1700000000'), 'install');
    expect(first.machineCalls).toContainEqual(version);
    const again = await harness.run(withStamp(first.state, '11:100:1700000000'), 'update-status');
    expect(again.ok).toBe(true);
    expect(again.machineCalls).not.toContainEqual(version);
    const actions = again.machineCalls.flatMap((c) => (c.op === 'service' ? [c.action] : []));
    expect(actions).toEqual(['start']);
    expect(again.state.status).toEqual({ kind: 'active', message: 'Healthy with 1 known peer' });
    const replaced = await harness.run(
      withStamp(again.state, '12:100:1700000500'),
      'update-status',
    );
    expect(replaced.machineCalls).toContainEqual(version);
  });

  it('a member trusts its recorded install on relation hooks; lifecycle hooks probe again', async () => {
    const first = await harness.run(withStampOf(alone, '11:100:1700000000'), 'install');
    const probe = { op: 'run', command: unitProbeCommand('etcd/0') };
    const relationHook = await harness.run(first.state, {
      kind: 'relation-changed',
      relationId: 2,
      remoteUnit: 'easyrsa/0',
    });
    expect(relationHook.ok).toBe(true);
    expect(relationHook.machineCalls).not.toContainEqual(probe);
    expect(relationHook.state.status).toEqual({
      kind: 'active',
      message: 'Healthy with 1 known peer',
    });
    const updateStatus = await harness.run(first.state, 'update-status');
    expect(updateStatus.machineCalls).toContainEqual(probe);
  });

  it('a definition gone from the machine is installed again', async () => {
    const first = await harness.run(alone, 'install');
    const machine = first.state.machine ?? {};
    const again = await harness.run(
      { ...first.state, machine: { ...machine, services: {} } },
      'update-status',
    );
    expect(again.ok).toBe(true);
    expect(again.state.machine?.services?.['etcd']?.state).toBe('running');
    expect(again.logs.map((l) => l.message).join('\n')).toContain('installing it again');
  });

  it('a second hook changes nothing: same token, no restart, nothing to commit', async () => {
    const first = await harness.run(alone, 'install');
    const again = await harness.run(first.state, 'update-status');
    expect(again.state.leaderSettings).toEqual(first.state.leaderSettings);
    expect(again.machineCalls).not.toContainEqual(
      expect.objectContaining({ op: 'service', action: 'restart' }),
    );
    expect(again.outcome?.relations).toEqual([]);
    expect(again.outcome?.leaderSettings).toEqual({});
  });
});

describe('etcd: status and the db relation', () => {
  const three = [member('etcd/0'), member('etcd/2'), member('etcd/1')];
  const db = {
    id: DB_ID,
    endpoint: 'db',
    remoteApp: 'kubernetes-master',
    remoteUnits: { 'kubernetes-master/0': {} },
  };
  const running = (unhealthy: string[] = []) =>
    unitState('etcd/0', {
      leader: true,
      peers: ['etcd/1', 'etcd/2'],
      leaderSettings: { token: 'a'.repeat(32), client_urls: clientUrl('etcd/0') },
      stored: {
        member: {
          token: 'a'.repeat(32),
          initialCluster: 'etcd-0=https://192.0.2.1:2380',
          state: 'new',
        },
      },
      extraRelations: [db],
      run: ownViewAnswers('etcd/0', three, unhealthy),
    });

  it('is "Healthy with 3 known peers" when member list and health answer 3', async () => {
    const out = await harness.run(running(), 'update-status');
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
  });

  it('publishes sorted client URLs and the client credentials on db', async () => {
    const out = await harness.run(running(), {
      kind: 'relation-joined',
      relationId: DB_ID,
      remoteUnit: 'kubernetes-master/0',
    });
    expect(out.ok).toBe(true);
    const expected = {
      connection_string: 'https://192.0.2.1:2379,https://192.0.2.2:2379,https://192.0.2.3:2379',
      client_ca: CA,
      client_cert: CLIENT_CERT,
      client_key: CLIENT_KEY,
      version: '3.4.23',
    };
    const rel = out.state.relations?.find((r) => r.id === DB_ID);
    expect(rel?.local).toEqual({ 'private-address': '192.0.2.1', ...expected });
    expect(rel?.app).toEqual(expected);
  });

  it('serves without the shared client certificate, tells db nothing, and takes it later without a restart', async () => {
    const withoutClient = (state: HarnessState): HarnessState => ({
      ...state,
      relations: state.relations?.map((r) =>
        r.id === CERTS_ID
          ? {
              ...r,
              remoteUnits: {
                'easyrsa/0': Object.fromEntries(
                  Object.entries(r.remoteUnits?.['easyrsa/0'] ?? {}).filter(
                    ([k]) => !k.startsWith('client.'),
                  ),
                ),
              },
            }
          : r,
      ),
    });
    const early = await harness.run(withoutClient(running()), 'update-status');
    expect(early.ok).toBe(true);
    expect(early.state.status).toEqual({
      kind: 'waiting',
      message: 'Waiting for the client certificate from the certificate authority',
    });
    expect(early.state.relations?.find((r) => r.id === DB_ID)?.local).toEqual({
      'private-address': '192.0.2.1',
    });
    expect(Object.keys(early.state.machine?.files ?? {})).not.toContain('/etc/etcd/tls/client.crt');

    const arrived = { ...early.state, relations: running().relations };
    const out = await harness.run(arrived, {
      kind: 'relation-changed',
      relationId: CERTS_ID,
      remoteUnit: 'easyrsa/0',
    });
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
    expect(out.state.machine?.files?.['/etc/etcd/tls/client.crt']).toBe(CLIENT_CERT);
    const written = out.machineCalls.flatMap((c) => (c.op === 'writeFile' ? [c.path] : []));
    expect(written).toEqual(['/etc/etcd/tls/client.crt', '/etc/etcd/tls/client.key']);
    expect(out.machineCalls).not.toContainEqual(
      expect.objectContaining({ op: 'service', action: 'restart' }),
    );
    expect(out.state.relations?.find((r) => r.id === DB_ID)?.app).toMatchObject({
      client_cert: CLIENT_CERT,
    });
  });

  // Issue 16 item 8: the client certificate reaches every member at the end of a deploy, in two
  // certificates hooks each; asking etcd again there held `deploy --wait` up by ~0.2-0.4 s a hook.
  const looks = (calls: readonly { op: string; command?: string }[]) =>
    calls.filter((c) => c.op === 'run' && c.command?.includes('etcdctl') === true).length;
  const certificatesChanged = { kind: 'relation-changed', relationId: CERTS_ID } as const;

  it('a certificates hook that restarts nothing reuses a healthy last look; others look again', async () => {
    const first = await harness.run(running(), 'update-status');
    expect(looks(first.machineCalls)).toBe(1);
    const certs = await harness.run(first.state, certificatesChanged);
    expect(looks(certs.machineCalls)).toBe(0);
    expect(certs.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
    expect(certs.state.relations?.find((r) => r.id === DB_ID)?.app).toMatchObject({
      client_cert: CLIENT_CERT,
    });
    const peers = await harness.run(certs.state, {
      kind: 'relation-changed',
      relationId: PEERS_ID,
      remoteUnit: 'etcd/1',
    });
    expect(looks(peers.machineCalls)).toBe(1);
  });

  it('leader-settings-changed reuses a healthy look only when the leader publishes what it saw', async () => {
    const follower = unitState('etcd/1', {
      peers: ['etcd/0', 'etcd/2'],
      leaderSettings: { token: 'a'.repeat(32), client_urls: clientUrl('etcd/0') },
      stored: {
        member: {
          token: 'a'.repeat(32),
          initialCluster: 'etcd-0=https://192.0.2.1:2380',
          state: 'existing',
        },
        // It runs with the certificates it has: no restart is due.
        'tls-digest': serverDigest(envFor('etcd/1').tls, {
          ca: CA,
          serverCert: serverCert('etcd/1'),
          serverKey: serverKey('etcd/1'),
        }),
      },
      run: ownViewAnswers('etcd/1', three),
    });
    const first = await harness.run(follower, 'update-status');
    expect(first.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
    // The leader's client URLs name etcd/0 alone, where this unit saw three members serve.
    const stale = await harness.run(first.state, 'leader-settings-changed');
    expect(looks(stale.machineCalls)).toBe(1);
    const all = ['etcd/0', 'etcd/1', 'etcd/2'].map(clientUrl).join(',');
    const leaderSettings = { ...stale.state.leaderSettings, client_urls: all };
    const news = await harness.run({ ...stale.state, leaderSettings }, 'leader-settings-changed');
    expect(looks(news.machineCalls)).toBe(0);
    expect(news.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
  });

  it('a certificates hook looks again when the last look found a member not answering', async () => {
    const first = await harness.run(running(['etcd/2']), 'update-status');
    const healed = { ...first.state, machine: running().machine };
    const certs = await harness.run(healed, certificatesChanged);
    expect(looks(certs.machineCalls)).toBe(1);
    expect(certs.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
  });

  it('a certificates hook bringing a new server certificate looks again', async () => {
    const first = await harness.run(running(), 'update-status');
    const renewed = {
      ...first.state,
      relations: first.state.relations?.map((r) =>
        r.id === CERTS_ID
          ? {
              ...r,
              remoteUnits: {
                'easyrsa/0': { ...r.remoteUnits?.['easyrsa/0'], 'etcd_0.server.cert': CA },
              },
            }
          : r,
      ),
    };
    const certs = await harness.run(renewed, certificatesChanged);
    expect(looks(certs.machineCalls)).toBeGreaterThan(0);
  });

  it('says which member does not answer', async () => {
    const out = await harness.run(running(['etcd/2']), 'update-status');
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Unhealthy with 3 known peers: etcd-2 not answering',
    });
  });

  it('keeps the existing member running with the flags it started with', async () => {
    const first = await harness.run(running(), 'update-status');
    const out = await harness.run(first.state, 'update-status');
    const command = out.state.machine?.services?.['etcd']?.spec.command ?? [];
    expect(command).toContain('--initial-cluster-state=new');
    expect(out.state.leaderSettings?.['token']).toBe('a'.repeat(32));
    expect(out.machineCalls).not.toContainEqual(
      expect.objectContaining({ op: 'service', action: 'restart' }),
    );
  });
});

describe('etcd: charm code', () => {
  it('bundles with only the SDK and matches its metadata and actions', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'etcd-charm-'));
    const module = await loadCharmModule('charms/etcd', cache);
    expect(Object.keys(module.actions).sort()).toEqual([
      'compact',
      'defrag',
      'health',
      'restore',
      'snapshot',
    ]);
  });
});
