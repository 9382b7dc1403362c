// kubernetes-master in the harness: what to attach, where binaries come from, the exact argv of
// each daemon, the certificate it asks for, what it waits on, and the service-cidr lock.
import { describe, expect, it } from 'vitest';
import { SNAPD_PROBE, snapCommand } from '../../../charms/lib/sources.js';
import { ADDRESS, ALL, REL, harness, master } from './fixtures.js';
import { aptProbeAnswers } from '../../fakes/kube-charms.js';

const APISERVER = [
  '/usr/local/bin/kube-apiserver',
  `--advertise-address=${ADDRESS}`,
  '--allow-privileged=false',
  '--authorization-mode=Node,RBAC',
  '--bind-address=0.0.0.0',
  '--client-ca-file=/root/cdk/ca.crt',
  '--enable-admission-plugins=NodeRestriction',
  '--etcd-cafile=/root/cdk/etcd/client-ca.pem',
  '--etcd-certfile=/root/cdk/etcd/client-cert.pem',
  '--etcd-keyfile=/root/cdk/etcd/client-key.pem',
  '--etcd-servers=https://10.0.0.5:2379',
  '--kubelet-certificate-authority=/root/cdk/ca.crt',
  '--kubelet-client-certificate=/root/cdk/client.crt',
  '--kubelet-client-key=/root/cdk/client.key',
  '--kubelet-preferred-address-types=InternalIP,Hostname,InternalDNS,ExternalDNS,ExternalIP',
  '--logtostderr=true',
  '--secure-port=6443',
  '--service-account-issuer=https://kubernetes.default.svc',
  '--service-account-key-file=/root/cdk/serviceaccount.key',
  '--service-account-signing-key-file=/root/cdk/serviceaccount.key',
  '--service-cluster-ip-range=10.152.183.0/24',
  '--storage-backend=etcd3',
  '--tls-cert-file=/root/cdk/server.crt',
  '--tls-private-key-file=/root/cdk/server.key',
  '--token-auth-file=/root/cdk/known_tokens.csv',
  '--v=2',
];

const CONTROLLER_MANAGER = [
  '/usr/local/bin/kube-controller-manager',
  '--bind-address=127.0.0.1',
  '--cluster-cidr=10.1.0.0/16',
  '--kubeconfig=/root/cdk/kubecontrollermanagerconfig',
  '--leader-elect=true',
  '--logtostderr=true',
  '--root-ca-file=/root/cdk/ca.crt',
  '--service-account-private-key-file=/root/cdk/serviceaccount.key',
  '--service-cluster-ip-range=10.152.183.0/24',
  '--use-service-account-credentials=true',
  '--v=2',
];

const SCHEDULER = [
  '/usr/local/bin/kube-scheduler',
  '--bind-address=127.0.0.1',
  '--kubeconfig=/root/cdk/kubeschedulerconfig',
  '--leader-elect=true',
  '--logtostderr=true',
  '--v=2',
];

const PROXY = [
  '/usr/local/bin/kube-proxy',
  '--cluster-cidr=10.1.0.0/16',
  '--hostname-override=master-0',
  '--kubeconfig=/root/cdk/kubeproxyconfig',
  '--logtostderr=true',
  '--v=0',
];

describe('kubernetes-master binaries', () => {
  it('is blocked naming every missing binary in one message, in a stable order', async () => {
    const out = await harness.run(master({ resources: [] }), 'install');
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message:
        'Missing kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy, kubectl: ' +
        'rune attach-resource kubernetes-master kube-apiserver=./kube-apiserver ' +
        'kube-controller-manager=./kube-controller-manager kube-scheduler=./kube-scheduler ' +
        'kube-proxy=./kube-proxy kubectl=./kubectl',
    });
    expect(out.state.machine?.services).toEqual({});
    // snapd was asked about once, for all five binaries.
    const probes = out.machineCalls.filter((c) => c.op === 'run' && c.command === SNAPD_PROBE);
    expect(probes).toHaveLength(1);
  });

  it('names only what is still missing', async () => {
    const out = await harness.run(master({ resources: ['kube-apiserver', 'kubectl'] }), 'install');
    expect(out.state.status?.message).toBe(
      'Missing kube-controller-manager, kube-scheduler, kube-proxy: rune attach-resource ' +
        'kubernetes-master kube-controller-manager=./kube-controller-manager ' +
        'kube-scheduler=./kube-scheduler kube-proxy=./kube-proxy',
    );
  });

  it("takes kubectl from Debian's kubernetes-client when apt has it", async () => {
    const base = master({ resources: ALL.filter((n) => n !== 'kubectl') });
    const run = {
      ...base.machine?.run,
      ...aptProbeAnswers('kubernetes-client', '1.20.5'),
    };
    const out = await harness.run({ ...base, machine: { run } }, 'install');
    expect(out.machineCalls).toContainEqual({
      op: 'installPackages',
      names: ['kubernetes-client'],
    });
    expect(out.state.stored?.['binaries']).toMatchObject({
      kubectl: { source: 'package', path: '/usr/bin/kubectl', origin: 'kubernetes-client' },
    });
    expect(out.state.status?.kind).toBe('active');
  });

  it('moves on when apt lists kubernetes-client but cannot fetch it (no mirror)', async () => {
    const base = master({ resources: ALL.filter((n) => n !== 'kubectl') });
    const run = {
      ...base.machine?.run,
      ...aptProbeAnswers('kubernetes-client', '1.20.5'),
    };
    const out = await harness.run(
      { ...base, machine: { run, uninstallable: ['kubernetes-client'] } },
      'install',
    );
    expect(out.ok).toBe(true);
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message: 'Missing kubectl: rune attach-resource kubernetes-master kubectl=./kubectl',
    });
  });

  it('installs snaps from the configured channel when snapd runs', async () => {
    const base = master({ resources: [] });
    const run: Record<string, string> = { ...(base.machine?.run as Record<string, string>) };
    run[SNAPD_PROBE] = 'running\n';
    for (const name of ALL) {
      const classic = name === 'kube-proxy' || name === 'kubectl';
      run[snapCommand(name, '1.21/stable', classic)] = '';
    }
    const out = await harness.run({ ...base, machine: { run } }, 'install');
    expect(out.machineCalls).toContainEqual({
      op: 'run',
      command:
        'sh -c \'if snap list "$1" >/dev/null 2>&1; then snap refresh "$1" --channel="$2"; ' +
        'else snap install "$1" --channel="$2" $3; fi\' rune-snap kube-proxy 1.21/stable --classic',
    });
    expect(out.state.machine?.services?.['kube-apiserver']?.spec.command[0]).toBe(
      '/snap/bin/kube-apiserver',
    );
  });
});

describe('kubernetes-master control plane', () => {
  it('runs the four daemons with exactly these flags and is active', async () => {
    const out = await harness.run(master(), 'install');
    expect(out.ok).toBe(true);
    expect(out.state.status).toEqual({ kind: 'active', message: 'Kubernetes master running.' });
    const services = out.state.machine?.services ?? {};
    expect(services['kube-apiserver']?.spec.command).toEqual(APISERVER);
    expect(services['kube-controller-manager']?.spec.command).toEqual(CONTROLLER_MANAGER);
    expect(services['kube-scheduler']?.spec.command).toEqual(SCHEDULER);
    expect(services['kube-proxy']?.spec.command).toEqual(PROXY);
    for (const name of Object.keys(services)) expect(services[name]?.state).toBe('running');
    expect(out.state.stored?.['service-cidr']).toBe('10.152.183.0/24');
  });

  it("merges the operator's extra args over the charm's flags", async () => {
    const config = { 'api-extra-args': 'v=4 audit-log-path=/var/log/audit.log profiling' };
    const out = await harness.run(master({}, { config }), 'config-changed');
    const argv = out.state.machine?.services?.['kube-apiserver']?.spec.command ?? [];
    expect(argv).toContain('--v=4');
    expect(argv).not.toContain('--v=2');
    expect(argv).toContain('--audit-log-path=/var/log/audit.log');
    expect(argv).toContain('--profiling=true');
    const bad = await harness.run(master({}, { config: { 'api-extra-args': '=x' } }), 'install');
    expect(bad.state.status).toEqual({
      kind: 'blocked',
      message: 'Invalid config: api-extra-args must be key=value pairs or flag names, got "=x"',
    });
  });

  it('asks for a server certificate with the reference SANs plus extra_sans', async () => {
    const config = { extra_sans: 'api.example.com 203.0.113.9' };
    const out = await harness.run(master({}, { config }), 'install');
    const certs = out.state.relations?.find((r) => r.id === REL.certificates)?.local ?? {};
    expect(certs['common_name']).toBe(ADDRESS);
    expect(JSON.parse(certs['sans'] ?? '[]')).toEqual(
      [
        '10.152.183.1',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
        'master-0',
        ADDRESS,
        'api.example.com',
        '203.0.113.9',
      ].sort(),
    );
  });

  it('publishes the API endpoint and tells flannel it is a master', async () => {
    const out = await harness.run(master(), 'install');
    const api = out.state.relations?.find((r) => r.id === REL.apiEndpoint)?.local;
    expect(api).toMatchObject({ hostname: ADDRESS, port: '6443' });
    const cni = out.state.relations?.find((r) => r.id === REL.cni)?.local;
    expect(cni).toMatchObject({ is_master: 'True', kubeconfig_path: '/root/cdk/kubeconfig' });
  });

  it.each([
    [['certificates-relation'], 'blocked', 'Missing relation to certificate authority.'],
    [['etcd'], 'blocked', 'Waiting for etcd'],
    [['certificates'], 'waiting', 'Waiting for certificates'],
    [['cni'], 'waiting', 'Waiting for CNI plugins to become available'],
  ] as const)('without %j it is %s: %s, and runs nothing', async (without, kind, message) => {
    const out = await harness.run(master({ without }), 'install');
    expect(out.state.status).toEqual({ kind, message });
    expect(out.state.machine?.services).toEqual({});
  });

  it('refuses a service-cidr change after the first start and keeps serving the first', async () => {
    const first = await harness.run(master(), 'install');
    const changed = await harness.run(
      { ...first.state, config: { 'service-cidr': '10.100.0.0/16' } },
      'config-changed',
    );
    expect(changed.state.status).toEqual({
      kind: 'blocked',
      message:
        'Service CIDR change is not supported: still serving 10.152.183.0/24; ' +
        'revert with: rune config kubernetes-master service-cidr=10.152.183.0/24',
    });
    const argv = changed.state.machine?.services?.['kube-apiserver']?.spec.command;
    expect(argv).toContain('--service-cluster-ip-range=10.152.183.0/24');
    expect(changed.machineCalls).not.toContainEqual(
      expect.objectContaining({ op: 'service', action: 'restart' }),
    );
    // Set back, the unit is active again.
    const reverted = await harness.run(
      { ...changed.state, config: { 'service-cidr': '10.152.183.0/24' } },
      'config-changed',
    );
    expect(reverted.state.status?.kind).toBe('active');
  });

  it('takes a new service-cidr while the control plane has never started', async () => {
    const waiting = await harness.run(master({ without: ['cni'] }), 'install');
    const config = { 'service-cidr': '10.100.0.0/16' };
    const out = await harness.run(master({}, { config, stored: waiting.state.stored }), 'install');
    expect(out.state.machine?.services?.['kube-apiserver']?.spec.command).toContain(
      '--service-cluster-ip-range=10.100.0.0/16',
    );
    expect(out.state.status?.kind).toBe('active');
  });

  it('refuses a service-cidr that is not a CIDR', async () => {
    const out = await harness.run(master({}, { config: { 'service-cidr': 'ten' } }), 'install');
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message: 'Invalid config: service-cidr must be an IPv4 CIDR like 10.152.183.0/24, got "ten"',
    });
  });

  it('restarts only the daemons whose files changed', async () => {
    const first = await harness.run(master(), 'install');
    const settings = { ...first.state.leaderSettings, 'kube-scheduler-token': 'newschedtoken' };
    const out = await harness.run(
      { ...first.state, isLeader: false, leaderSettings: settings },
      'leader-settings-changed',
    );
    const restarts = out.machineCalls.filter((c) => c.op === 'service' && c.action === 'restart');
    expect(restarts.map((c) => c.op === 'service' && c.name)).toEqual([
      'kube-apiserver',
      'kube-scheduler',
    ]);
  });
});
