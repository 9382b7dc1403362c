// kubernetes-worker in the harness: what to attach, containerd from Debian run at once, the
// kube-control request, what it waits for, exact flags, the rendered kubeconfigs and kubelet
// config, actions.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { aptProbeCommand } from '../../../charms/lib/sources.js';
import { APT_STAMP } from '../../fakes/kube-charms.js';
import { ADDRESS, REL, USER, harness, worker } from './fixtures.js';

/** Only containerd, as it runs before the unit has what kubelet and kube-proxy need. */
const CONTAINERD_ONLY = ['containerd'];

const KUBELET = [
  '/usr/local/bin/kubelet',
  '--cni-bin-dir=/opt/cni/bin',
  '--cni-conf-dir=/etc/cni/net.d',
  '--config=/root/cdk/kubelet/config.yaml',
  '--container-runtime=remote',
  '--container-runtime-endpoint=unix:///run/containerd/containerd.sock',
  '--hostname-override=worker-0',
  '--kubeconfig=/root/cdk/kubeconfig',
  '--logtostderr=true',
  '--network-plugin=cni',
  `--node-ip=${ADDRESS}`,
  '--node-labels=juju-application=kubernetes-worker',
  '--v=0',
];

const PROXY = [
  '/usr/local/bin/kube-proxy',
  '--cluster-cidr=10.1.0.0/16',
  '--hostname-override=worker-0',
  '--kubeconfig=/root/cdk/kubeproxyconfig',
  '--logtostderr=true',
  '--v=0',
];

describe('kubernetes-worker install', () => {
  it('is blocked naming kubelet and kube-proxy (kubectl is optional)', async () => {
    const out = await harness.run(worker({ resources: [] }), 'install');
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message:
        'Missing kubelet, kube-proxy: rune attach-resource kubernetes-worker ' +
        'kubelet=./kubelet kube-proxy=./kube-proxy',
    });
    expect(Object.keys(out.state.machine?.services ?? {})).toEqual(CONTAINERD_ONLY);
  });

  it('runs containerd from Debian while kubelet and kube-proxy are still missing', async () => {
    const out = await harness.run(worker({ resources: [] }), 'install');
    expect(out.state.machine?.services?.['containerd']).toEqual({
      spec: {
        name: 'containerd',
        command: ['/usr/bin/containerd', '--config', '/etc/containerd/config.toml'],
      },
      state: 'running',
    });
    expect(out.state.machine?.files?.['/etc/containerd/config.toml']).toContain(
      'conf_dir = "/etc/cni/net.d"',
    );
    expect(out.machineCalls).toContainEqual({
      op: 'run',
      command: 'ctr --address /run/containerd/containerd.sock --connect-timeout 10s version',
    });
  });

  it('says so when containerd runs but does not answer on its socket', async () => {
    const ctr = { code: 1, stderr: 'ctr: failed to dial "/run/containerd/containerd.sock"\n' };
    const out = await harness.run(worker({ ctr }), 'install');
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message: 'containerd runs but does not answer on /run/containerd/containerd.sock',
    });
    expect(out.state.machine?.services?.['kubelet']).toBeUndefined();
  });

  it('tries kubectl in update-status only, then asks apt nothing while its lists stay', async () => {
    const uninstallable = ['kubernetes-client'];
    const base = worker({ resources: [], kubectl: '1.20.5' });
    const installed = await harness.run(
      { ...base, machine: { ...base.machine, uninstallable } },
      'install',
    );
    const apt = { op: 'installPackages', names: ['kubernetes-client'] };
    expect(installed.machineCalls).not.toContainEqual(apt);
    const quiet = await harness.run(
      { ...installed.state, machine: { ...installed.state.machine, uninstallable } },
      'update-status',
    );
    expect(quiet.machineCalls).toContainEqual(apt);
    const again = await harness.run(
      { ...quiet.state, machine: { ...quiet.state.machine, uninstallable } },
      'update-status',
    );
    const commands = again.machineCalls.flatMap((c) => (c.op === 'run' ? [c.command] : []));
    // Asked with the answers the unit holds: only the stamp comes back, apt-cache never runs,
    // and apt-get is not tried again.
    expect(commands).toContain(aptProbeCommand(APT_STAMP, ['kubernetes-client']));
    expect(commands).not.toContain(aptProbeCommand('', ['kubernetes-client']));
    expect(again.machineCalls).not.toContainEqual(apt);
    expect(again.state.status?.message).toMatch(/^Missing kubelet, kube-proxy: /);
  });

  it('names containerd too when apt cannot install it', async () => {
    const out = await harness.run(worker({ containerd: undefined }), 'install');
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message: 'Missing containerd: rune attach-resource kubernetes-worker containerd=./containerd',
    });
  });

  it('installs an attached containerd where apt has none', async () => {
    const state = worker({
      containerd: undefined,
      resources: ['kubelet', 'kube-proxy', 'containerd'],
    });
    const out = await harness.run(state, 'install');
    expect(out.state.status?.message ?? '').not.toMatch(/containerd/);
    expect(out.state.machine?.services?.['containerd']?.spec.command[0]).toBe(
      '/usr/local/bin/containerd',
    );
  });

  it('installs containerd from Debian once and supervises it itself', async () => {
    const out = await harness.run(worker(), 'install');
    expect(out.machineCalls).toContainEqual({ op: 'installPackages', names: ['containerd'] });
    expect(out.state.machine?.services?.['containerd']?.spec.command).toEqual([
      '/usr/bin/containerd',
      '--config',
      '/etc/containerd/config.toml',
    ]);
    const again = await harness.run(out.state, 'update-status');
    expect(again.machineCalls).not.toContainEqual({
      op: 'installPackages',
      names: ['containerd'],
    });
  });
});

describe('kubernetes-worker relations', () => {
  it('asks the master for its kubelet user and tells flannel it is no master', async () => {
    const out = await harness.run(worker({ without: ['creds'] }), 'install');
    const bag = out.state.relations?.find((r) => r.id === REL.kubeControl)?.local;
    expect(bag).toMatchObject({ kubelet_user: USER, auth_group: 'system:nodes' });
    const cni = out.state.relations?.find((r) => r.id === REL.cni)?.local;
    expect(cni).toMatchObject({ is_master: 'False', kubeconfig_path: '/root/cdk/kubeconfig' });
    const certs = out.state.relations?.find((r) => r.id === REL.certificates)?.local ?? {};
    expect(JSON.parse(certs['sans'] ?? '[]')).toEqual([ADDRESS, 'worker-0']);
  });

  it.each([
    [{ unrelated: ['certificates'] }, 'blocked', 'Missing relation to certificate authority.'],
    [{ unrelated: ['kube-control'] }, 'waiting', 'Waiting for kube-control relation'],
    [{ without: ['creds'] }, 'waiting', 'Waiting for credentials over kube-control'],
    [{ unrelated: ['kube-api-endpoint'] }, 'waiting', 'Waiting for kube-api-endpoint relation'],
    [{ without: ['api'] }, 'waiting', 'Waiting for the API endpoint'],
    [{ without: ['certificates'] }, 'waiting', 'Waiting for certificates'],
    [{ without: ['cni'] }, 'waiting', 'Waiting for CNI plugins to become available'],
  ] as const)('with %j it is %s: %s', async (options, kind, message) => {
    const out = await harness.run(worker(options), 'install');
    expect(out.state.status).toEqual({ kind, message });
    expect(Object.keys(out.state.machine?.services ?? {})).toEqual(CONTAINERD_ONLY);
  });
});

describe('kubernetes-worker node', () => {
  it('runs containerd, kubelet and kube-proxy with exactly these flags and is active', async () => {
    const out = await harness.run(worker(), 'install');
    expect(out.state.status).toEqual({ kind: 'active', message: 'Kubernetes worker running.' });
    const services = out.state.machine?.services ?? {};
    expect(services['kubelet']?.spec.command).toEqual(KUBELET);
    expect(services['kube-proxy']?.spec.command).toEqual(PROXY);
    expect(Object.values(services).map((s) => s.state)).toEqual(['running', 'running', 'running']);
  });

  it('renders kubeconfigs from the minted tokens that kubectl can read', async () => {
    const out = await harness.run(worker(), 'install');
    const files = out.state.machine?.files ?? {};
    const kubelet = parse(files['/root/cdk/kubeconfig'] ?? '') as Record<string, unknown>;
    expect(kubelet).toEqual({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          cluster: {
            server: 'https://10.0.0.10:6443',
            'certificate-authority': '/root/cdk/ca.crt',
          },
          name: 'juju-cluster',
        },
      ],
      contexts: [{ context: { cluster: 'juju-cluster', user: 'kubelet' }, name: 'juju-context' }],
      'current-context': 'juju-context',
      preferences: {},
      users: [{ name: 'kubelet', user: { token: 'kubelettoken' } }],
    });
    expect(files['/root/cdk/kubeproxyconfig']).toContain('token: proxytoken');
    expect(files['/root/.kube/config']).toContain('token: admintoken');
    expect(out.machineCalls).toContainEqual(
      expect.objectContaining({ op: 'writeFile', path: '/root/cdk/kubeconfig', mode: 0o600 }),
    );
  });

  it("renders the kubelet's configuration, with the operator's extra config merged in", async () => {
    const config = {
      'kubelet-extra-config':
        '{"maxPods": 200, "authentication": {"anonymous": {"enabled": true}}}',
      labels: 'role=gpu zone=a',
    };
    const out = await harness.run(worker({}, { config }), 'config-changed');
    const kubelet = parse(
      out.state.machine?.files?.['/root/cdk/kubelet/config.yaml'] ?? '',
    ) as unknown;
    expect(kubelet).toEqual({
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: '0.0.0.0',
      authentication: {
        anonymous: { enabled: true },
        webhook: { enabled: true },
        x509: { clientCAFile: '/root/cdk/ca.crt' },
      },
      authorization: { mode: 'Webhook' },
      clusterDNS: ['10.152.183.10'],
      clusterDomain: 'cluster.local',
      failSwapOn: false,
      port: 10250,
      tlsCertFile: '/root/cdk/server.crt',
      tlsPrivateKeyFile: '/root/cdk/server.key',
      maxPods: 200,
    });
    expect(out.state.machine?.services?.['kubelet']?.spec.command).toContain(
      '--node-labels=juju-application=kubernetes-worker,role=gpu,zone=a',
    );
  });

  it('refuses extra config it cannot read, saying how to write it', async () => {
    const config = { 'kubelet-extra-config': 'evictionHard:\n  memory.available: 100Mi' };
    const out = await harness.run(worker({}, { config }), 'config-changed');
    expect(out.state.status).toEqual({
      kind: 'blocked',
      message:
        'Invalid config: kubelet-extra-config must be a JSON map like {"maxPods": 110}, or ' +
        'key: value lines, got "evictionHard:\\n  memory.available: 100Mi"',
    });
  });
});

describe('kubernetes-worker actions', () => {
  const drain =
    '/usr/bin/kubectl --kubeconfig=/root/.kube/config drain worker-0 --ignore-daemonsets';

  it('pause drains the node with the admin kubeconfig and reports the output', async () => {
    const base = worker({ kubectl: '1.20.5' });
    const first = await harness.run(base, 'install');
    const run = {
      ...first.state.machine?.run,
      [drain]: 'node/worker-0 cordoned\nnode/worker-0 drained\n',
      [`${drain} --delete-emptydir-data --force`]: 'node/worker-0 drained\n',
    };
    const state = { ...first.state, machine: { ...first.state.machine, run } };
    const out = await harness.runAction(state, 'pause');
    expect(out.action?.results).toEqual({
      command: drain,
      output: 'node/worker-0 cordoned\nnode/worker-0 drained',
    });
    const forced = await harness.runAction(state, 'pause', {
      'delete-local-data': true,
      force: true,
    });
    expect(forced.action?.results['command']).toBe(`${drain} --delete-emptydir-data --force`);
  });

  it('pause fails with the reason when kubectl fails, and resume uncordons', async () => {
    const first = await harness.run(worker({ kubectl: '1.20.5' }), 'install');
    const uncordon = '/usr/bin/kubectl --kubeconfig=/root/.kube/config uncordon worker-0';
    const run = {
      ...first.state.machine?.run,
      [drain]: { code: 1, stderr: 'The connection to the server was refused\n' },
      [uncordon]: 'node/worker-0 uncordoned\n',
    };
    const state = { ...first.state, machine: { ...first.state.machine, run } };
    const paused = await harness.runAction(state, 'pause');
    expect(paused.action?.failed).toBe(
      'kubectl exited 1: The connection to the server was refused',
    );
    const resumed = await harness.runAction(state, 'resume');
    expect(resumed.action?.results['output']).toBe('node/worker-0 uncordoned');
  });

  it('pause says what to attach when there is no kubectl', async () => {
    const first = await harness.run(worker(), 'install');
    const out = await harness.runAction(first.state, 'pause');
    expect(out.action?.failed).toBe(
      'kubectl is not installed. Missing kubectl: rune attach-resource kubernetes-worker ' +
        'kubectl=./kubectl',
    );
  });
});
