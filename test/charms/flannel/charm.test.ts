// flannel in the harness: config checks (each bad option blocks, touching nothing), the blocked
// message naming what to attach, the etcd write, the CNI config, flanneld's exact argv, what the
// principal is told, and idempotence.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Harness, type HarnessState } from '../../../core/charm/index.js';
import { charm } from '../../../charms/flannel/charm.js';
import { fetchCommand, installFileCommand } from '../../../charms/lib/sources.js';
import {
  CNI_CONF_PATH,
  READ_SUBNET_ENV,
  etcdPutCommand,
} from '../../../charms/flannel/workload.js';
import {
  ETCD_CA,
  ETCD_CERT,
  ETCD_KEY,
  attached,
  etcdBag,
  machineAnswers,
  validateWrite,
} from '../../fakes/kube-charms.js';

const dir = fileURLToPath(new URL('../../../charms/flannel/', import.meta.url));
const harness = Harness.load(dir, charm, { validateWrite });

const SUBNET_ENV =
  'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.7.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n';
const PUT = etcdPutCommand(
  {
    connectionString: 'https://10.0.0.5:2379',
    endpoints: ['https://10.0.0.5:2379'],
    clientCa: ETCD_CA,
    clientCert: ETCD_CERT,
    clientKey: ETCD_KEY,
  },
  '{"Network":"10.1.0.0/16","Backend":{"Type":"vxlan"}}',
);

function state(overrides: Partial<HarnessState> = {}, withEtcd = true): HarnessState {
  return {
    unit: 'flannel/0',
    isLeader: true,
    address: '10.0.0.7',
    relations: [
      {
        id: 1,
        endpoint: 'cni',
        remoteApp: 'kubernetes-worker',
        remoteUnits: { 'kubernetes-worker/0': { is_master: 'False' } },
      },
      {
        id: 2,
        endpoint: 'etcd',
        remoteApp: 'etcd',
        remoteUnits: withEtcd ? { 'etcd/0': etcdBag() } : {},
      },
    ],
    machine: {
      run: {
        ...machineAnswers({ resources: ['flanneld'] }),
        [PUT]: 'OK\n',
        [READ_SUBNET_ENV]: SUBNET_ENV,
      },
    },
    ...overrides,
  };
}

describe('flannel', () => {
  it.each([
    [{ cidr: '10.1.0.0' }, 'cidr must be an IPv4 CIDR like 10.1.0.0/16, got "10.1.0.0"'],
    [{ cidr: '10.1.0.0/29' }, 'cidr must be a CIDR from /8 to /28'],
    [{ iface: 'eth0; reboot' }, 'iface must be empty, an interface name like eth0, or an IP'],
    [{ iface: 'averyveryverylongname0' }, 'iface must be empty, an interface name'],
    [{ port: 70000 }, 'port must be an integer from 0 to 65535, got 70000'],
    [{ vni: -1 }, 'vni must be an integer from 0 to 16777215, got -1'],
    [{ 'install-source': 'apt' }, 'install-source must be one of auto, package, snap'],
    [{ 'archive-url': 'flannel.tar.gz' }, 'archive-url must be empty or an http:// or https://'],
  ])('%j blocks, naming the option, and changes nothing', async (config, message) => {
    const running = await harness.run(state({ resources: attached(['flanneld']) }), 'install');
    expect(running.state.status?.kind).toBe('active');
    const out = await harness.run({ ...running.state, config }, 'config-changed');
    expect(out.ok).toBe(true);
    expect(out.state.status?.kind).toBe('blocked');
    expect(out.state.status?.message).toMatch(/^Invalid config: /);
    expect(out.state.status?.message).toContain(message);
    expect(out.machineCalls).toEqual([]);
    expect(out.state.machine).toEqual(running.state.machine);
    expect(out.outcome?.relations).toEqual([]);
  });

  it('is blocked naming the resource to attach when no source has flanneld', async () => {
    const out = await harness.run(state(), 'install');
    expect(out.ok).toBe(true);
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message: 'Missing flanneld: rune attach-resource flannel flanneld=./flanneld',
    });
    expect(out.state.machine?.services).toEqual({});
    // The principal hears nothing: no flanneld, no network.
    expect(out.outcome?.relations.find((r) => r.endpoint === 'cni')).toBeUndefined();
  });

  it('waits for etcd once flanneld is installed from the attached resource', async () => {
    const out = await harness.run(state({ resources: attached(['flanneld']) }, false), 'install');
    expect(out.state.status).toEqual({ kind: 'waiting', message: 'Waiting for etcd relation' });
    expect(out.machineCalls).toContainEqual({
      op: 'run',
      command:
        'install -D -m 0755 /var/lib/rune/resources/flanneld /usr/local/bin/flanneld && ' +
        'sha256sum /usr/local/bin/flanneld',
    });
    expect(out.state.stored?.['binaries']).toEqual({
      flanneld: {
        source: 'resource',
        path: '/usr/local/bin/flanneld',
        origin: '/var/lib/rune/resources/flanneld',
      },
    });
  });

  it('stores the network in etcd, runs flanneld, renders the CNI config and tells the principal', async () => {
    const out = await harness.run(state({ resources: attached(['flanneld']) }), 'config-changed');
    expect(out.ok).toBe(true);
    expect(out.state.status).toEqual({ kind: 'active', message: 'Flannel subnet 10.1.7.1/24' });

    expect(PUT).toBe(
      'ETCDCTL_API=3 etcdctl --endpoints=https://10.0.0.5:2379 ' +
        '--cacert=/etc/ssl/flannel/client-ca.pem --cert=/etc/ssl/flannel/client-cert.pem ' +
        '--key=/etc/ssl/flannel/client-key.pem put /coreos.com/network/config ' +
        '\'{"Network":"10.1.0.0/16","Backend":{"Type":"vxlan"}}\'',
    );
    expect(out.machineCalls).toContainEqual({ op: 'run', command: PUT });
    expect(out.machineCalls).toContainEqual({ op: 'installPackages', names: ['etcd-client'] });

    const files = out.state.machine?.files ?? {};
    expect(files['/etc/ssl/flannel/client-key.pem']).toBe(ETCD_KEY);
    expect(out.machineCalls).toContainEqual({
      op: 'writeFile',
      path: '/etc/ssl/flannel/client-key.pem',
      data: ETCD_KEY,
      mode: 0o600,
    });
    expect(JSON.parse(files[CNI_CONF_PATH] ?? '')).toEqual({
      name: 'flannel',
      cniVersion: '0.3.1',
      plugins: [
        { type: 'flannel', delegate: { hairpinMode: true, isDefaultGateway: true } },
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      ],
    });

    expect(out.state.machine?.services?.['flannel']).toEqual({
      state: 'running',
      spec: {
        name: 'flannel',
        command: [
          '/usr/local/bin/flanneld',
          '-etcd-endpoints=https://10.0.0.5:2379',
          '-etcd-cafile=/etc/ssl/flannel/client-ca.pem',
          '-etcd-certfile=/etc/ssl/flannel/client-cert.pem',
          '-etcd-keyfile=/etc/ssl/flannel/client-key.pem',
          '-etcd-prefix=/coreos.com/network',
          '-iface=10.0.0.7',
          '-ip-masq',
        ],
      },
    });
    const cni = out.state.relations?.find((r) => r.endpoint === 'cni');
    expect(cni?.local).toEqual({
      'private-address': '10.0.0.7',
      cidr: '10.1.0.0/16',
      'cni-conf-file': '10-flannel.conflist',
    });
  });

  it('puts VNI and port into the backend, and uses the configured interface', async () => {
    const put = PUT.replace(
      '"Backend":{"Type":"vxlan"}',
      '"Backend":{"Type":"vxlan","VNI":4096,"Port":4789}',
    ).replace('10.1.0.0/16', '10.5.0.0/16');
    const base = state({ resources: attached(['flanneld']) });
    const out = await harness.run(
      {
        ...base,
        config: { cidr: '10.5.0.0/16', vni: 4096, port: 4789, iface: 'eth1' },
        machine: { run: { ...base.machine?.run, [put]: '' } },
      },
      'config-changed',
    );
    expect(out.machineCalls).toContainEqual({ op: 'run', command: put });
    expect(out.state.machine?.services?.['flannel']?.spec.command).toContain('-iface=eth1');
  });

  it('waits while flanneld has not written subnet.env', async () => {
    const base = state({ resources: attached(['flanneld']) });
    const run = { ...base.machine?.run, [READ_SUBNET_ENV]: '' };
    const out = await harness.run({ ...base, machine: { run } }, 'config-changed');
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: 'Waiting for flanneld to lease a subnet',
    });
  });

  it('a second hook with the same facts neither writes etcd nor restarts flanneld', async () => {
    const first = await harness.run(state({ resources: attached(['flanneld']) }), 'install');
    const again = await harness.run(first.state, 'update-status');
    expect(again.ok).toBe(true);
    expect(again.machineCalls).not.toContainEqual({ op: 'run', command: PUT });
    expect(again.machineCalls).not.toContainEqual(
      expect.objectContaining({ op: 'service', action: 'restart' }),
    );
    expect(again.outcome?.relations).toEqual([]);
    expect(again.state.status?.kind).toBe('active');
  });

  it('restarts flanneld when etcd hands out new client credentials', async () => {
    const first = await harness.run(state({ resources: attached(['flanneld']) }), 'install');
    const relations = first.state.relations?.map((r) =>
      r.endpoint === 'etcd'
        ? {
            ...r,
            remoteUnits: { 'etcd/0': { ...etcdBag(), client_key: ETCD_KEY.replace('A', 'B') } },
          }
        : r,
    );
    const out = await harness.run(
      { ...first.state, relations },
      {
        kind: 'relation-changed',
        relationId: 2,
        remoteUnit: 'etcd/0',
      },
    );
    expect(out.machineCalls).toContainEqual({ op: 'service', action: 'restart', name: 'flannel' });
  });

  it('refuses a release archive whose sha256 does not match the published one', async () => {
    const url = 'http://10.0.0.1:8000/flannel-v0.14.0-linux-amd64.tar.gz';
    const fetch = fetchCommand(url, '/usr/local/bin/flanneld', 'flanneld');
    const base = state({ config: { 'archive-url': url }, resources: attached(['flanneld']) });
    const published = 'a'.repeat(64);
    const downloaded = 'b'.repeat(64);
    const run = {
      ...base.machine?.run,
      [fetch]: { code: 3, stdout: `published=${published} downloaded=${downloaded}\n` },
    };
    const out = await harness.run({ ...base, machine: { run } }, 'install');
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message:
        `Refusing flanneld from ${url}: its sha256 is ${downloaded} but ${url}.sha256 ` +
        `publishes ${published}`,
    });
    // Refused means refused: the attached resource is not a silent fallback.
    expect(out.state.machine?.services).toEqual({});
  });

  it('installs flanneld out of the release archive when the checksum matches', async () => {
    const url = 'http://10.0.0.1:8000/flannel-v0.14.0-linux-amd64.tar.gz';
    const fetch = fetchCommand(url, '/usr/local/bin/flanneld', 'flanneld');
    const base = state({ config: { 'archive-url': url } });
    const run = { ...base.machine?.run, [fetch]: `${'c'.repeat(64)}\n` };
    const out = await harness.run({ ...base, machine: { run } }, 'install');
    expect(out.state.status?.kind).toBe('active');
    expect(out.state.stored?.['binaries']).toEqual({
      flanneld: {
        source: 'archive',
        path: '/usr/local/bin/flanneld',
        origin: url,
        sha256: 'c'.repeat(64),
      },
    });
  });

  it('after attach-resource (upgrade-charm) installs the new revision and restarts flanneld', async () => {
    const copy = installFileCommand('/var/lib/rune/resources/flanneld', '/usr/local/bin/flanneld');
    const answer = (sha: string) => `${sha}  /usr/local/bin/flanneld\n`;
    const base = state({ resources: attached(['flanneld']) });
    const first = await harness.run(
      { ...base, machine: { run: { ...base.machine?.run, [copy]: answer('1'.repeat(64)) } } },
      'install',
    );
    const same = await harness.run(first.state, 'upgrade-charm');
    expect(same.machineCalls).toContainEqual({ op: 'run', command: copy });
    expect(same.machineCalls).not.toContainEqual(
      expect.objectContaining({ op: 'service', action: 'restart' }),
    );
    const run = { ...first.state.machine?.run, [copy]: answer('2'.repeat(64)) };
    const next = await harness.run(
      { ...first.state, machine: { ...first.state.machine, run } },
      'upgrade-charm',
    );
    expect(next.machineCalls).toContainEqual({ op: 'service', action: 'restart', name: 'flannel' });
    expect(next.state.stored?.['binaries']).toMatchObject({ flanneld: { sha256: '2'.repeat(64) } });
  });

  it('stop stops flanneld; remove takes it and the CNI config away', async () => {
    const first = await harness.run(state({ resources: attached(['flanneld']) }), 'install');
    const stopped = await harness.run(first.state, 'stop');
    expect(stopped.state.machine?.services?.['flannel']?.state).toBe('stopped');
    const rm = `rm -f ${CNI_CONF_PATH}`;
    const removed = await harness.run(
      { ...stopped.state, machine: { ...stopped.state.machine, run: { [rm]: '' } } },
      'remove',
    );
    expect(removed.ok).toBe(true);
    expect(removed.state.machine?.services).toEqual({});
  });
});

describe('flannel: rotate-ca (etcd hands on the step with its client credentials)', () => {
  const STEP = '0123456789abcdef/reissue';
  const rotated = (s: HarnessState): HarnessState => ({
    ...s,
    relations: s.relations?.map((r) =>
      r.id === 2
        ? {
            ...r,
            remoteUnits: { 'etcd/0': { ...etcdBag(), client_ca: ETCD_CERT, ca_rotation: STEP } },
          }
        : r,
    ),
  });
  const fromEtcd = { kind: 'relation-changed', relationId: 2, remoteUnit: 'etcd/0' } as const;
  const echo = (s: HarnessState) =>
    s.relations?.find((r) => r.id === 2)?.local?.['ca_rotation_applied'];

  it('restarts flanneld with the new files, then echoes the step to etcd', async () => {
    const running = await harness.run(state({ resources: attached(['flanneld']) }), 'install');
    expect(echo(running.state)).toBe('none');
    const out = await harness.run(rotated(running.state), fromEtcd);
    expect(out.ok).toBe(true);
    expect(out.state.machine?.files?.['/etc/ssl/flannel/client-ca.pem']).toBe(ETCD_CERT);
    expect(out.machineCalls).toContainEqual({ op: 'service', action: 'restart', name: 'flannel' });
    expect(echo(out.state)).toBe(STEP);
  });

  it('without flanneld it echoes once the files are written', async () => {
    const blocked = await harness.run(state(), 'install');
    const out = await harness.run(rotated(blocked.state), fromEtcd);
    expect(out.state.status?.kind).toBe('blocked');
    expect(out.state.machine?.files?.['/etc/ssl/flannel/client-ca.pem']).toBe(ETCD_CERT);
    expect(echo(out.state)).toBe(STEP);
  });
});
