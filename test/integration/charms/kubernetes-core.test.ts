// bundles/kubernetes-core.yaml on local machines (issue 5). What can be real here is: easyrsa,
// etcd, flannel's network config in etcd and the worker's containerd (Debian's, issue 13).
// Kubernetes and flannel binaries cannot be fetched on these hosts, so those units block naming
// what to attach. Then the FAKE binaries of
// test/fakes (they record their argv and idle; see their headers for what they do not model)
// are attached: the services start under Rune's supervisor with the rendered flags, the
// kubeconfigs parse with kubectl, and the API server's certificate carries the reference SANs.
// None of this claims a working Kubernetes.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/charms/kubernetes-core.test.ts needs root (local machines)');
}

const KUBE_FAKE = resolve('test/fakes/kube-fake.sh');
const FLANNELD_FAKE = resolve('test/fakes/flanneld-fake.sh');
let home: string;
let files: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  files = mkdtempSync(join(tmpdir(), 'rune-k8s-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'k8s')).code).toBe(0);
});

afterAll(async () => {
  await runCli('destroy-controller', 'k8s', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

type Row = [string, string];
/** unit (subordinates too) → [workload, message]; also each unit's machine and address. */
async function snapshot(): Promise<{
  units: Record<string, Row>;
  machine: Record<string, string>;
  address: Record<string, string>;
}> {
  const s = JSON.parse(
    (await runCli('status', '--format', 'json')).out.join('\n'),
  ) as StatusResponse;
  const units: Record<string, Row> = {};
  const machine: Record<string, string> = {};
  const address: Record<string, string> = {};
  for (const app of Object.values(s.applications ?? {})) {
    for (const [name, u] of Object.entries(app.units ?? {})) {
      units[name] = [u['workload-status'].current, u['workload-status'].message];
      machine[name] = u.machine ?? '';
      address[name] = u['public-address'] ?? '';
      for (const [sub, v] of Object.entries(u.subordinates ?? {}))
        units[sub] = [v['workload-status'].current, v['workload-status'].message];
    }
  }
  return { units, machine, address };
}

async function onMachine(machine: string, command: string): Promise<string> {
  const r = await runCli('exec', '--machine', machine, '--', command);
  expect(r.code, command).toBe(0);
  return r.stdout.toString();
}

/** Deploys and scaling wait on real hooks on real machines; each wait has its own deadline. */
const LONG = 600_000;

describe('bundles/kubernetes-core.yaml on local machines', () => {
  it(
    'deploys: easyrsa and etcd active, the rest blocked naming the binaries to attach',
    async () => {
      const started = Date.now();
      const r = await runCli('deploy', 'bundles/kubernetes-core.yaml', '--wait=15m');
      expect(r.code, r.err.join('\n')).toBe(0);
      console.log(`kubernetes-core settled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const { units } = await snapshot();
      expect(units['easyrsa/0']).toEqual(['active', 'Certificate Authority connected.']);
      expect(units['etcd/0']).toEqual(['active', 'Healthy with 1 known peer']);
      expect(units['kubernetes-master/0']?.[0]).toBe('blocked');
      expect(units['kubernetes-master/0']?.[1]).toContain('Missing kube-apiserver');
      expect(units['kubernetes-worker/0']).toEqual([
        'blocked',
        'Missing kubelet, kube-proxy: rune attach-resource kubernetes-worker kubelet=./kubelet kube-proxy=./kube-proxy',
      ]);
      const flannel = Object.entries(units).filter(([name]) => name.startsWith('flannel/'));
      expect(flannel).toHaveLength(2);
      for (const [, row] of flannel)
        expect(row).toEqual([
          'blocked',
          'Missing flanneld: rune attach-resource flannel flanneld=./flanneld',
        ]);
    },
    LONG,
  );

  it(
    "runs Debian's containerd on the worker: ctr version shows its server",
    async () => {
      const { machine } = await snapshot();
      const worker = machine['kubernetes-worker/0'] ?? '';
      const out = await onMachine(
        worker,
        'ctr --address /run/containerd/containerd.sock --connect-timeout 10s version',
      );
      expect(out).toMatch(/^Server:\n\s+Version:\s+1\.\d+\.\d+/m);
      // The CRI plugin kubelet will talk to loaded, and so did a snapshotter for its images.
      const plugins = await onMachine(worker, 'ctr plugins ls');
      expect(plugins).toMatch(/^io\.containerd\.grpc\.v1\s+cri\s+\S+\s+ok\s*$/m);
      expect(plugins).toMatch(/^io\.containerd\.snapshotter\.v1\s+overlayfs\s+\S+\s+ok\s*$/m);
    },
    LONG,
  );

  it(
    "stores flannel's network config in etcd, readable with etcdctl",
    async () => {
      const { machine } = await snapshot();
      const etcdMachine = machine['etcd/0'] ?? '';
      for (const f of ['ca.crt', 'client.crt', 'client.key'])
        writeFileSync(join(files, f), await onMachine(etcdMachine, `cat /etc/etcd/tls/${f}`), {
          mode: 0o600,
        });
      const { address } = await snapshot();
      const out = execFileSync(
        'etcdctl',
        [
          `--endpoints=https://${address['etcd/0']}:2379`,
          `--cacert=${join(files, 'ca.crt')}`,
          `--cert=${join(files, 'client.crt')}`,
          `--key=${join(files, 'client.key')}`,
          'get',
          '/coreos.com/network/config',
          '--print-value-only',
        ],
        { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 30_000 },
      );
      expect(JSON.parse(out)).toEqual({ Network: '10.1.0.0/16', Backend: { Type: 'vxlan' } });
    },
    LONG,
  );

  it(
    'with the FAKE binaries attached, every service starts with the rendered flags',
    async () => {
      const attach = async (app: string, names: string[], file: string) => {
        const r = await runCli('attach-resource', app, ...names.map((n) => `${n}=${file}`));
        expect(r.code, r.err.join('\n')).toBe(0);
      };
      await attach('flannel', ['flanneld'], FLANNELD_FAKE);
      await attach(
        'kubernetes-master',
        ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'kubectl'],
        KUBE_FAKE,
      );
      await attach('kubernetes-worker', ['kubelet', 'kube-proxy'], KUBE_FAKE);
      await waitFor(
        'master and worker running with fakes',
        async () => {
          const { units } = await snapshot();
          return (
            units['kubernetes-master/0']?.[1] === 'Kubernetes master running.' &&
            units['kubernetes-worker/0']?.[1] === 'Kubernetes worker running.' &&
            Object.entries(units)
              .filter(([n]) => n.startsWith('flannel/'))
              .every(([, row]) => /^Flannel subnet 10\.1\.\d+\.1\/24$/.test(row[1]))
          );
        },
        { timeoutMs: 300_000, intervalMs: 500 },
      );
      const { machine, address } = await snapshot();
      const master = machine['kubernetes-master/0'] ?? '';
      const args = (await onMachine(master, 'cat /var/log/rune-fake/kube-apiserver.args'))
        .trim()
        .split('\n');
      expect(new Set(args)).toEqual(
        new Set([
          `--advertise-address=${address['kubernetes-master/0']}`,
          '--allow-privileged=false',
          '--authorization-mode=Node,RBAC',
          '--bind-address=0.0.0.0',
          '--client-ca-file=/root/cdk/ca.crt',
          '--enable-admission-plugins=NodeRestriction',
          '--etcd-cafile=/root/cdk/etcd/client-ca.pem',
          '--etcd-certfile=/root/cdk/etcd/client-cert.pem',
          '--etcd-keyfile=/root/cdk/etcd/client-key.pem',
          `--etcd-servers=https://${address['etcd/0']}:2379`,
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
        ]),
      );
      const scheduler = (
        await onMachine(master, 'cat /var/log/rune-fake/kube-scheduler.args')
      ).trim();
      expect(new Set(scheduler.split('\n'))).toEqual(
        new Set([
          '--bind-address=127.0.0.1',
          '--kubeconfig=/root/cdk/kubeschedulerconfig',
          '--leader-elect=true',
          '--logtostderr=true',
          '--v=2',
        ]),
      );
      const worker = machine['kubernetes-worker/0'] ?? '';
      const kubelet = (await onMachine(worker, 'cat /var/log/rune-fake/kubelet.args'))
        .trim()
        .split('\n');
      expect(kubelet).toEqual(
        expect.arrayContaining([`--node-ip=${address['kubernetes-worker/0']}`]),
      );
      expect(kubelet.some((a) => a.startsWith('--config='))).toBe(true);
    },
    LONG,
  );

  it(
    'renders kubeconfigs kubectl parses, and an API certificate with the reference SANs',
    async () => {
      const { machine, address } = await snapshot();
      const r = await runCli('run', 'kubernetes-master/leader', 'get-kubeconfig', '--wait=2m');
      expect(r.code, r.out.join('\n')).toBe(0);
      const admin = join(files, 'admin.kubeconfig');
      writeFileSync(
        admin,
        await onMachine(machine['kubernetes-master/0'] ?? '', 'cat /root/cdk/kubeconfig'),
      );
      const view = execFileSync(
        'kubectl',
        ['--kubeconfig', admin, 'config', 'view', '-o', 'json'],
        {
          encoding: 'utf8',
        },
      );
      const config = JSON.parse(view) as { clusters: { cluster: { server: string } }[] };
      expect(config.clusters[0]?.cluster.server).toBe(
        `https://${address['kubernetes-master/0']}:6443`,
      );
      const pem = await onMachine(machine['kubernetes-master/0'] ?? '', 'cat /root/cdk/server.crt');
      const hostname = (await onMachine(machine['kubernetes-master/0'] ?? '', 'hostname')).trim();
      const sans = new X509Certificate(pem).subjectAltName ?? '';
      for (const san of [
        'IP Address:10.152.183.1',
        'DNS:kubernetes',
        'DNS:kubernetes.default',
        'DNS:kubernetes.default.svc',
        'DNS:kubernetes.default.svc.cluster.local',
        `DNS:${hostname}`,
        `IP Address:${address['kubernetes-master/0']}`,
      ])
        expect(sans).toContain(san);
    },
    LONG,
  );

  it(
    'refuses a service-cidr change after the first start, keeping the old range',
    async () => {
      expect((await runCli('config', 'kubernetes-master', 'service-cidr=10.153.0.0/16')).code).toBe(
        0,
      );
      await waitFor(
        'the master to refuse the change',
        async () => (await snapshot()).units['kubernetes-master/0']?.[0] === 'blocked',
        { timeoutMs: 120_000 },
      );
      expect((await snapshot()).units['kubernetes-master/0']?.[1]).toMatch(
        /^Service CIDR change is not supported: still serving 10\.152\.183\.0\/24/,
      );
    },
    LONG,
  );
});
