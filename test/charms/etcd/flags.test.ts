// etcdArgs: the exact etcd 3.4 flags a unit's member starts with, and the names it derives.
import { describe, expect, it } from 'vitest';
import {
  type EtcdFlagsInput,
  etcdArgs,
  etcdCommand,
  etcdEnvironment,
} from '../../../charms/etcd/workload/flags.js';
import { dataDir, memberName } from '../../../charms/etcd/workload/paths.js';

const base: EtcdFlagsInput = {
  name: 'etcd-0',
  dataDir: '/var/lib/etcd/etcd-0',
  address: '10.0.0.5',
  clientPort: 2379,
  peerPort: 2380,
  bindToAll: true,
  insecureHttp: false,
  clusterToken: 'tok-123',
  initialCluster: 'etcd-0=https://10.0.0.5:2380',
  initialState: 'new',
  tls: { ca: '/etc/etcd/tls/ca.crt', cert: '/etc/etcd/tls/server.crt', key: '/k/server.key' },
  heartbeatIntervalMs: 100,
  electionTimeoutMs: 1000,
  snapshotCount: 10000,
  cipherSuites: '',
};

describe('etcdArgs', () => {
  it('gives a TLS member for clients and peers, listening everywhere, advertising its address', () => {
    expect(etcdArgs(base)).toEqual([
      '--name=etcd-0',
      '--data-dir=/var/lib/etcd/etcd-0',
      '--listen-client-urls=https://0.0.0.0:2379',
      '--advertise-client-urls=https://10.0.0.5:2379',
      '--listen-peer-urls=https://0.0.0.0:2380',
      '--initial-advertise-peer-urls=https://10.0.0.5:2380',
      '--initial-cluster=etcd-0=https://10.0.0.5:2380',
      '--initial-cluster-token=tok-123',
      '--initial-cluster-state=new',
      '--cert-file=/etc/etcd/tls/server.crt',
      '--key-file=/k/server.key',
      '--trusted-ca-file=/etc/etcd/tls/ca.crt',
      '--client-cert-auth',
      '--peer-cert-file=/etc/etcd/tls/server.crt',
      '--peer-key-file=/k/server.key',
      '--peer-trusted-ca-file=/etc/etcd/tls/ca.crt',
      '--peer-client-cert-auth',
      '--heartbeat-interval=100',
      '--election-timeout=1000',
      '--snapshot-count=10000',
      '--strict-reconfig-check=false',
      '--enable-v2=true',
      '--logger=zap',
      '--log-outputs=stderr',
    ]);
  });

  it('listens only on the address when bind_to_all_interfaces is false', () => {
    const args = etcdArgs({ ...base, bindToAll: false, clientPort: 12379, peerPort: 12380 });
    expect(args).toContain('--listen-client-urls=https://10.0.0.5:12379');
    expect(args).toContain('--listen-peer-urls=https://10.0.0.5:12380');
    expect(args.join(' ')).not.toContain('0.0.0.0');
  });

  it('adds the plain-HTTP localhost listener only with bind_with_insecure_http, never advertised', () => {
    const args = etcdArgs({ ...base, insecureHttp: true });
    expect(args).toContain('--listen-client-urls=https://0.0.0.0:2379,http://127.0.0.1:4001');
    expect(args).toContain('--advertise-client-urls=https://10.0.0.5:2379');
    expect(etcdArgs(base).join(' ')).not.toContain('4001');
  });

  it('joins an existing cluster with the initial cluster it was given', () => {
    const initialCluster = 'etcd-0=https://10.0.0.5:2380,etcd-1=https://10.0.0.6:2380';
    const args = etcdArgs({ ...base, name: 'etcd-1', initialState: 'existing', initialCluster });
    expect(args).toContain('--initial-cluster-state=existing');
    expect(args).toContain(`--initial-cluster=${initialCluster}`);
  });

  it('takes heartbeat, election timeout and snapshot count from config', () => {
    const args = etcdArgs({
      ...base,
      heartbeatIntervalMs: 250,
      electionTimeoutMs: 2500,
      snapshotCount: 500,
    });
    expect(args).toEqual(
      expect.arrayContaining([
        '--heartbeat-interval=250',
        '--election-timeout=2500',
        '--snapshot-count=500',
      ]),
    );
  });

  it('passes cipher suites only when some are set, without stray spaces', () => {
    expect(etcdArgs(base).some((a) => a.startsWith('--cipher-suites'))).toBe(false);
    const args = etcdArgs({ ...base, cipherSuites: ' TLS_A , TLS_B,, ' });
    expect(args.at(-1)).toBe('--cipher-suites=TLS_A,TLS_B');
  });

  it('brackets an IPv6 address in every URL', () => {
    const args = etcdArgs({ ...base, address: 'fd00::5', bindToAll: false });
    expect(args).toContain('--advertise-client-urls=https://[fd00::5]:2379');
    expect(args).toContain('--listen-peer-urls=https://[fd00::5]:2380');
  });

  it('keeps every flag and its value in one argv word', () => {
    for (const arg of etcdArgs({ ...base, insecureHttp: true, cipherSuites: 'X' })) {
      expect(arg).toMatch(/^--[a-z0-9-]+(=|$)/);
    }
  });

  it('names an architecture etcd 3.4 does not test, so it agrees to start', () => {
    expect(etcdEnvironment('amd64')).toEqual({});
    expect(etcdEnvironment('')).toEqual({});
    expect(etcdEnvironment('arm64')).toEqual({ ETCD_UNSUPPORTED_ARCH: 'arm64' });
  });

  it('puts the binary first for a service definition', () => {
    expect(etcdCommand(base)[0]).toBe('/usr/bin/etcd');
    expect(etcdCommand(base, '/snap/bin/etcd').slice(1)).toEqual(etcdArgs(base));
  });
});

describe('member names and data dirs', () => {
  it('turns a unit name into a member name and a per-member data dir', () => {
    expect(memberName('etcd/0')).toBe('etcd-0');
    expect(memberName('etcd2/13')).toBe('etcd2-13');
    expect(dataDir(memberName('etcd/3'))).toBe('/var/lib/etcd/etcd-3');
  });
});
