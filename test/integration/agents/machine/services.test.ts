// Rune's supervisor backend for real, on this host through a loopback sshd: start, restart on a
// crash, stop, failure, argv/env intact, user and directory, survival of the SSH session, remove.
// Services get random names and are removed afterwards; nothing else on the host is touched.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ConnectedMachine,
  connectMachine,
} from '../../../../agents/machine/remote-machine.js';
import {
  type ServiceSpec,
  type ServiceState,
  type Services,
  services,
} from '../../../../agents/machine/services.js';
import type { MachineFacts } from '../../../../core/model/machine.js';
import { type Sshd, startSshd, waitFor } from '../../support/sshd.js';

const RUN = randomBytes(3).toString('hex');
const created: string[] = [];

let sshd: Sshd;
let machine: ConnectedMachine;
let facts: MachineFacts;
let svc: Services;

function serviceName(role: string): string {
  const name = `rune-test-${RUN}-${role}`;
  created.push(name);
  return name;
}

beforeAll(async () => {
  sshd = await startSshd();
  machine = await connectMachine(sshd.target(), {});
  // This host has no systemd; say so explicitly so these tests always drive the supervisor.
  facts = { ...(await machine.facts()), systemd: false };
  svc = services(machine, facts);
});

afterAll(async () => {
  if (machine) {
    for (const name of created) {
      await svc.remove(name).catch(() => undefined);
      // Files these tests made beside the service's own: its output captures and its log.
      await machine.run(
        `rm -f /run/rune/${name}.argv /run/rune/${name}.env /var/log/rune/${name}.log`,
      );
    }
    await machine.close();
  }
  await sshd?.dispose();
});

/** Alive and not a zombie: this host's init may never reap orphans. */
async function alive(pid: number): Promise<boolean> {
  const r = await machine.run(`cut -d' ' -f3 /proc/${pid}/stat 2>/dev/null`);
  const state = r.stdout.toString().trim();
  return state !== '' && state !== 'Z';
}

async function waitForState(
  name: string,
  what: string,
  predicate: (s: ServiceState) => boolean,
): Promise<ServiceState> {
  let last: ServiceState | undefined;
  await waitFor(
    async () => {
      last = await svc.status(name);
      return predicate(last);
    },
    { timeoutMs: 15_000, what: `${name}: ${what}`, intervalMs: 50 },
  );
  if (!last) throw new Error('unreachable');
  return last;
}

async function supervisorPid(name: string): Promise<number> {
  const r = await machine.run(`cat /run/rune/${name}.supervisor.pid`);
  return Number(r.stdout.toString().trim());
}

describe('supervisor backend', () => {
  test('install reports a change only when the spec changed', async () => {
    const name = serviceName('idem');
    const spec: ServiceSpec = { name, command: ['sleep', '1000'], env: { A: '1', B: '2' } };
    expect(svc.backend).toBe('supervisor');
    expect(await svc.install(spec)).toBe(true);
    expect(await svc.install({ ...spec, env: { B: '2', A: '1' } })).toBe(false);
    expect(await svc.install({ ...spec, restart: 'always' })).toBe(true);
    expect(await svc.status(name)).toEqual({ name, state: 'stopped' });
  });

  test('ensure starts once, restarts only for a new definition or when told', async () => {
    const name = serviceName('ensure');
    const spec: ServiceSpec = { name, command: ['sleep', '1000'] };
    expect(await svc.ensure(spec)).toBe(true);
    const first = await waitForState(name, 'running', (s) => s.pid !== undefined);
    // Same definition: the running workload is left as it is.
    expect(await svc.ensure(spec)).toBe(false);
    expect((await svc.status(name)).pid).toBe(first.pid);
    expect(await svc.ensure(spec, { restart: true })).toBe(false);
    const second = await waitForState(name, 'running again', (s) => s.pid !== undefined);
    expect(second.pid).not.toBe(first.pid);
    expect(await svc.ensure({ ...spec, command: ['sleep', '999'] })).toBe(true);
    const third = await waitForState(name, 'on the new definition', (s) => s.pid !== undefined);
    expect(third.pid).not.toBe(second.pid);
    const argv = await machine.run(`cat /proc/${third.pid}/cmdline | tr '\\0' ' '`);
    expect(argv.stdout.toString()).toBe('sleep 999 ');
  });

  test('runs, restarts a killed workload with backoff, stops with both pids gone', async () => {
    const name = serviceName('loop');
    await svc.install({ name, command: ['sh', '-c', 'echo started; sleep 1000'] });
    await svc.start(name);
    const first = await waitForState(name, 'running with a pid', (s) => s.pid !== undefined);
    expect(first).toMatchObject({ state: 'running', restarts: 0 });
    const firstPid = first.pid ?? 0;
    expect(await alive(firstPid)).toBe(true);
    await waitFor(async () => (await svc.logs(name, 20)).includes('started'), {
      timeoutMs: 10_000,
      what: `"started" in ${name}'s log`,
    });

    // Starting a running service changes nothing.
    await svc.start(name);
    expect((await svc.status(name)).pid).toBe(firstPid);

    const supervisor = await supervisorPid(name);
    await machine.run(`kill -KILL ${firstPid}`);
    const second = await waitForState(
      name,
      'a new pid after the kill',
      (s) => s.pid !== undefined && s.pid !== firstPid && s.restarts === 1,
    );
    expect(second.state).toBe('running');
    expect(await supervisorPid(name)).toBe(supervisor);

    await svc.stop(name);
    expect(await alive(second.pid ?? 0)).toBe(false);
    expect(await alive(supervisor)).toBe(false);
    // The workload's own child (`sleep`) went with its process group.
    const group = await machine.run(
      `ps -e -o pgid=,stat= | awk -v g=${second.pid ?? 0} '$1 == g && $2 !~ /^Z/' | wc -l`,
    );
    expect(group.stdout.toString().trim()).toBe('0');
    expect(await svc.status(name)).toEqual({ name, state: 'stopped' });
    const log = await svc.logs(name, 50);
    expect(log).toContain('restarting');
    expect(log).toContain('stopped');
  });

  test('a workload exiting 3 with restart "no" is failed with its exit code', async () => {
    const name = serviceName('fail');
    await svc.install({ name, command: ['sh', '-c', 'exit 3'], restart: 'no' });
    await svc.start(name);
    const state = await waitForState(name, 'failed', (s) => s.state !== 'running');
    expect(state).toEqual({ name, state: 'failed', exitCode: 3, restarts: 0 });
  });

  test('restart "on-failure" leaves a clean exit stopped', async () => {
    const name = serviceName('clean');
    await svc.install({ name, command: ['true'], restart: 'on-failure' });
    await svc.start(name);
    const state = await waitForState(name, 'not running', (s) => s.state !== 'running');
    expect(state).toMatchObject({ state: 'stopped', exitCode: 0, restarts: 0 });
  });

  test('argv and env with spaces, quotes and newlines arrive intact', async () => {
    const name = serviceName('args');
    const args = [
      'two words',
      `it's "quoted"`,
      '$HOME ${X} $(id) `id`',
      'back\\slash',
      'l1\nl2',
      '',
      // Written plain (printable ASCII) or base64 (spaces at an end): both arrive as they were.
      '--flag=a  b',
      ' padded ',
    ];
    const env = { GREETING: `a "b" 'c' $d`, MULTI: 'x\ny', EMPTY: '' };
    await svc.install({
      name,
      command: [
        'sh',
        '-c',
        `printf '%s\\0' "$@" >/run/rune/${name}.argv; env -0 >/run/rune/${name}.env; pwd`,
        'sh',
        ...args,
      ],
      env,
      workingDir: '/tmp',
      restart: 'no',
    });
    await svc.start(name);
    await waitForState(name, 'the workload to finish', (s) => s.state !== 'running');
    const argv = (await machine.readFile(`/run/rune/${name}.argv`)).toString().split('\0');
    expect(argv.slice(0, -1)).toEqual(args);
    const pairs = (await machine.readFile(`/run/rune/${name}.env`)).toString().split('\0');
    expect(pairs).toEqual(
      expect.arrayContaining(['GREETING=a "b" \'c\' $d', 'MULTI=x\ny', 'EMPTY=']),
    );
    // A clean environment: nothing leaks in from the SSH session that started it.
    expect(pairs.some((p) => p.startsWith('SSH_'))).toBe(false);
    expect(await svc.logs(name, 5)).toContain('/tmp\n');
  });

  test('runs as the given user', async () => {
    const name = serviceName('user');
    await svc.install({
      name,
      command: ['sh', '-c', 'echo "I am $(id -un) home=$HOME"'],
      user: 'nobody',
      restart: 'no',
    });
    await svc.start(name);
    await waitForState(name, 'the workload to finish', (s) => s.state !== 'running');
    expect(await svc.logs(name, 5)).toMatch(/I am nobody home=\//);
  });

  test('survives the SSH session and sshd itself going away', async () => {
    const name = serviceName('survive');
    await svc.install({ name, command: ['sleep', '1000'] });
    await svc.start(name);
    const before = await waitForState(name, 'running with a pid', (s) => s.pid !== undefined);
    await machine.close();
    // Kills sshd and every process it forked: only what is truly detached survives.
    await sshd.restart();
    machine = await connectMachine(sshd.target(), {});
    svc = services(machine, facts);
    expect(await svc.status(name)).toMatchObject({ state: 'running', pid: before.pid });
    await svc.restart(name);
    const after = await waitForState(name, 'running again', (s) => s.pid !== undefined);
    expect(after.pid).not.toBe(before.pid);
    expect(after.restarts).toBe(0);
  });

  test('remove stops the service and deletes its definition and pidfiles, twice over', async () => {
    const name = serviceName('remove');
    await svc.install({ name, command: ['sleep', '1000'] });
    await svc.start(name);
    const running = await waitForState(name, 'running with a pid', (s) => s.pid !== undefined);
    await svc.remove(name);
    expect(await alive(running.pid ?? 0)).toBe(false);
    const files = await machine.run(
      `ls -d /etc/rune/services/${name} /run/rune/${name}.* 2>/dev/null; true`,
    );
    expect(files.stdout.toString()).toBe('');
    expect(await svc.status(name)).toEqual({ name, state: 'missing' });
    await svc.remove(name);
    await expect(svc.start(name)).rejects.toThrow(`cannot start service ${name}`);
  });
});
