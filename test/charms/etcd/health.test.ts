// The etcd charm's health checks and the repairs they ask for (issue 15 A3): a running member
// declares its endpoint health and its service; an update-status puts back TLS files deleted
// from the machine and starts a stopped service; a failing check's word stands until it passes.
import { describe, expect, it } from 'vitest';
import { CHECKS, memberHealthCommand } from '../../../charms/etcd/health.js';
import type { HarnessState } from '../../../core/charm/index.js';
import {
  CA,
  CLIENT_CERT,
  clientUrl,
  envFor,
  harness,
  member,
  ownViewAnswers,
  serverKey,
  unitState,
} from './fixtures.js';

const three = [member('etcd/0'), member('etcd/1'), member('etcd/2')];
const running = (): HarnessState =>
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
    run: ownViewAnswers('etcd/0', three),
  });

const TLS = [
  '/etc/etcd/tls/ca.crt',
  '/etc/etcd/tls/client.crt',
  '/etc/etcd/tls/client.key',
  '/etc/etcd/tls/server.crt',
  '/etc/etcd/tls/server.key',
];

/** `state` with its machine changed by hand. */
function onMachine(
  state: HarnessState,
  change: (machine: NonNullable<HarnessState['machine']>) => void,
): HarnessState {
  const machine = structuredClone(state.machine ?? {});
  change(machine);
  return { ...state, machine };
}

describe('etcd: health checks', () => {
  it('a running member declares its endpoint health and its service, every 10 s', async () => {
    const out = await harness.run(running(), 'update-status');
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
    expect(out.state.checks).toEqual({
      [CHECKS.member]: {
        spec: { command: memberHealthCommand(envFor('etcd/0')), everyMs: 10_000 },
      },
      [CHECKS.service]: { spec: { service: 'etcd', everyMs: 10_000 } },
    });
    // Declared again unchanged, they keep their verdicts: nothing to commit.
    const again = await harness.run(out.state, 'update-status');
    expect(again.outcome?.checks).toBeUndefined();
  });

  it('asks its own member only, fails at once on a closed port, and keeps etcdctl’s words', () => {
    const command = memberHealthCommand(envFor('etcd/0'));
    expect(command).toContain("ss -Hltn 'sport = :2379'");
    expect(command).toContain("echo 'etcd is not listening on port 2379' >&2; exit 1");
    expect(command).toContain('--endpoints=https://192.0.2.1:2379 ');
    expect(command).toContain('--command-timeout=3000ms endpoint health 2>&1');
    expect(command).not.toContain('json');
    expect(command).toContain("grep -v -e '^{' -e '^Error: unhealthy cluster' >&2; exit 1");
  });

  it('update-status puts back TLS files deleted from the machine, without a restart', async () => {
    const first = await harness.run(running(), 'update-status');
    expect(Object.keys(first.state.machine?.files ?? {})).toEqual(TLS);
    const deleted = onMachine(first.state, (m) => {
      for (const path of TLS) delete m.files?.[path];
    });
    const out = await harness.run(deleted, 'update-status');
    expect(out.ok).toBe(true);
    expect(out.state.machine?.files?.['/etc/etcd/tls/ca.crt']).toBe(CA);
    expect(out.state.machine?.files?.['/etc/etcd/tls/client.crt']).toBe(CLIENT_CERT);
    expect(out.state.machine?.files?.['/etc/etcd/tls/server.key']).toBe(serverKey('etcd/0'));
    const written = out.machineCalls.flatMap((c) => (c.op === 'writeFile' ? [c] : []));
    expect(written.map((c) => c.path).sort()).toEqual(TLS);
    expect(written.find((c) => c.path.endsWith('.key'))?.mode).toBe(0o600);
    expect(out.logs.map((l) => l.message)).toContainEqual(
      expect.stringMatching(/^put back TLS files missing or changed on the machine: /),
    );
    expect(out.machineCalls).not.toContainEqual(
      expect.objectContaining({ op: 'service', action: 'restart' }),
    );
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 3 known peers' });
  });

  it('writes nothing on update-status when every file is as written', async () => {
    const first = await harness.run(running(), 'update-status');
    const out = await harness.run(first.state, 'update-status');
    expect(out.machineCalls.filter((c) => c.op === 'writeFile')).toEqual([]);
  });

  it('update-status starts a stopped service', async () => {
    const first = await harness.run(running(), 'update-status');
    const stopped = onMachine(first.state, (m) => {
      const etcd = m.services?.['etcd'];
      if (etcd) etcd.state = 'stopped';
    });
    const out = await harness.run(stopped, 'update-status');
    expect(out.machineCalls).toContainEqual({ op: 'service', action: 'start', name: 'etcd' });
    expect(out.state.machine?.services?.['etcd']?.state).toBe('running');
  });

  it('a check that failed keeps its word in the status until it passes again', async () => {
    const first = await harness.run(running(), 'update-status');
    const failing: HarnessState = {
      ...first.state,
      checks: {
        ...first.state.checks,
        [CHECKS.member]: {
          spec: { command: memberHealthCommand(envFor('etcd/0')), everyMs: 10_000 },
          failing: 'etcd is not listening on port 2379',
        },
      },
    };
    const out = await harness.run(failing, 'update-status');
    expect(out.state.status).toEqual({
      kind: 'maintenance',
      message: 'health check etcd failed: etcd is not listening on port 2379',
    });
  });
});
