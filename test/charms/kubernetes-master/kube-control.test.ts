// kubernetes-master's secrets and kube-control: the leader creates keys and tokens once and
// mints one per worker, every master publishes the worker's credentials; and the actions.
import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunAnswer } from '../../../core/charm/index.js';
import { fetchCommand } from '../../../charms/lib/sources.js';
import { CA } from '../../fakes/kube-charms.js';
import { ADDRESS, ALL, REL, harness, master } from './fixtures.js';

describe('kubernetes-master secrets', () => {
  it('the leader creates the service-account key, tokens and cluster tag once', async () => {
    const out = await harness.run(master({}, { leaderSettings: {} }), 'leader-elected');
    const settings = out.state.leaderSettings ?? {};
    const key = createPrivateKey(settings['service-account-key'] ?? '');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    for (const name of ['admin', 'kube-proxy', 'kube-controller-manager', 'kube-scheduler']) {
      expect(settings[`${name}-token`]).toMatch(/^[0-9a-f]{48}$/);
    }
    expect(settings['cluster-tag']).toMatch(/^kubernetes-[0-9a-f]{16}$/);
    const kubelets = JSON.parse(settings['kubelet-tokens'] ?? '{}') as Record<string, unknown>;
    expect(Object.keys(kubelets)).toEqual(['system:node:worker-0']);
    // No secret reaches the log.
    for (const line of out.logs) expect(line.message).not.toContain(settings['admin-token']);

    const again = await harness.run(out.state, 'update-status');
    expect(again.outcome?.leaderSettings).toEqual({});
  });

  it("drops a departed worker's token", async () => {
    const out = await harness.run(master(), {
      kind: 'relation-departed',
      relationId: REL.kubeControl,
      remoteUnit: 'kubernetes-worker/0',
    });
    expect(out.state.leaderSettings?.['kubelet-tokens']).toBe('{}');
    expect(out.state.machine?.files?.['/root/cdk/known_tokens.csv']).not.toContain('kubelet');
  });

  it('a follower waits for the leader instead of creating secrets', async () => {
    const out = await harness.run(master({}, { isLeader: false, leaderSettings: {} }), 'install');
    expect(out.state.status).toEqual({
      kind: 'waiting',
      message: "Waiting for the leader's keys and tokens",
    });
    expect(out.outcome?.leaderSettings).toEqual({});
  });

  it('writes the token file the API server reads', async () => {
    const out = await harness.run(master(), 'install');
    expect(out.state.machine?.files?.['/root/cdk/known_tokens.csv']).toBe(
      [
        'admintoken,admin,admin,"system:masters"',
        'cmtoken,system:kube-controller-manager,kube-controller-manager',
        'proxytoken,system:kube-proxy,kube-proxy',
        'schedtoken,system:kube-scheduler,kube-scheduler',
        'kubelettoken,system:node:worker-0,kubelet-worker-0,"system:nodes"',
        '',
      ].join('\n'),
    );
    expect(out.machineCalls).toContainEqual(
      expect.objectContaining({ op: 'writeFile', path: '/root/cdk/known_tokens.csv', mode: 0o600 }),
    );
  });
});

describe('kubernetes-master over kube-control', () => {
  it("answers the worker's request with credentials keyed by its kubelet user, addressed to it", async () => {
    for (const isLeader of [true, false]) {
      const out = await harness.run(master({}, { isLeader }), 'install');
      const bag = out.state.relations?.find((r) => r.id === REL.kubeControl)?.local ?? {};
      expect(bag['creds']).toBeUndefined();
      expect(JSON.parse(bag['kubernetes-worker_0.creds'] ?? '{}')).toEqual({
        'system:node:worker-0': {
          client_token: 'admintoken',
          kubelet_token: 'kubelettoken',
          proxy_token: 'proxytoken',
          scope: 'kubernetes-worker/0',
        },
      });
      expect(bag).toMatchObject({
        port: '53',
        domain: 'cluster.local',
        'sdn-ip': '10.152.183.10',
        'cluster-tag': 'kubernetes-0123456789abcdef',
        'api-endpoints': JSON.stringify([`https://${ADDRESS}:6443`]),
      });
    }
  });
});

describe('kubernetes-master actions', () => {
  it('get-kubeconfig returns YAML for the admin with the API server and the CA', async () => {
    const out = await harness.runAction(master(), 'get-kubeconfig');
    expect(out.action?.failed).toBeUndefined();
    const text = out.action?.results['kubeconfig'] ?? '';
    const config = parse(text) as {
      clusters: { cluster: Record<string, string>; name: string }[];
      users: { name: string; user: { token: string } }[];
      'current-context': string;
    };
    expect(config.clusters[0]?.cluster['server']).toBe(`https://${ADDRESS}:6443`);
    const ca = config.clusters[0]?.cluster['certificate-authority-data'] ?? '';
    expect(Buffer.from(ca, 'base64').toString()).toBe(CA);
    expect(config.users).toEqual([{ name: 'admin', user: { token: 'admintoken' } }]);
    expect(config['current-context']).toBe('juju-context');
  });

  it('get-kubeconfig fails clearly before there is a CA', async () => {
    const out = await harness.runAction(master({ without: ['certificates'] }), 'get-kubeconfig');
    expect(out.action?.failed).toBe(
      'No kubeconfig yet: the unit has no CA certificate or admin token',
    );
  });

  it('restart restarts the daemons that are installed', async () => {
    const first = await harness.run(master(), 'install');
    const out = await harness.runAction(first.state, 'restart');
    expect(out.action?.results['restarted']).toBe(
      'kube-apiserver kube-controller-manager kube-scheduler kube-proxy',
    );
    const none = await harness.runAction(master(), 'restart');
    expect(none.action?.results['restarted']).toBe('');
  });

  it('upgrade re-runs the install source and refuses a release whose checksum is wrong', async () => {
    const run: Record<string, RunAnswer> = {};
    const release = (base: string, bad?: string) => {
      for (const name of ALL) {
        const published = 'e'.repeat(64);
        run[fetchCommand(`${base}/${name}`, `/usr/local/bin/${name}`)] =
          name === bad
            ? { code: 3, stdout: `published=${published} downloaded=${'f'.repeat(64)}\n` }
            : `${'d'.repeat(64)}\n`;
      }
    };
    const v1 = 'https://dl.example/v1.21.13/bin/linux/amd64';
    const v2 = 'https://dl.example/v1.21.14/bin/linux/amd64';
    release(v1);
    release(v2, 'kube-proxy');
    const base = master({ resources: [] });
    const machine = { run: { ...base.machine?.run, ...run } };
    const first = await harness.run({ ...base, machine, config: { 'release-url': v1 } }, 'install');
    expect(first.state.status?.kind).toBe('active');

    // With require-manual-upgrade (the default), a new release waits for the action.
    const due = await harness.run(
      { ...first.state, config: { 'release-url': `${v2}/` } },
      'config-changed',
    );
    expect(due.state.status).toEqual({
      kind: 'blocked',
      message: 'Needs manual upgrade, run the upgrade action',
    });
    expect(due.state.machine?.services?.['kube-apiserver']?.state).toBe('running');

    const out = await harness.runAction(due.state, 'upgrade');
    expect(out.action?.failed).toBe(
      `Refusing kube-proxy from ${v2}/kube-proxy: its sha256 is ${'f'.repeat(64)} but ` +
        `${v2}/kube-proxy.sha256 publishes ${'e'.repeat(64)}`,
    );
  });

  it('upgrade installs the new release and restarts the daemons', async () => {
    const base = master();
    const first = await harness.run(base, 'install');
    const out = await harness.runAction(first.state, 'upgrade');
    expect(out.action?.failed).toBeUndefined();
    expect(out.action?.results).toEqual({
      upgraded: ALL.join(' '),
      restarted: 'kube-apiserver kube-controller-manager kube-scheduler kube-proxy',
    });
    expect(out.state.status?.kind).toBe('active');
  });
});
