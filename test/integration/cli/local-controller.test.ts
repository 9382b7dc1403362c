// The local provider end to end from the CLI, as root: three machines of their own namespaces,
// commands on each, sshd restarted under the agent, a changed host key refused, the controller
// SIGKILLed and back, a manual machine by address, and removal that leaves nothing behind.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMachine } from '../../../agents/machine/remote-machine.js';
import { controllerPid } from '../../../core/controller/process.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error(
    'test/integration/cli/local-controller.test.ts needs root (namespaces, mounts, sshd)',
  );
}

let home: string;
let cid: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
});

afterAll(async () => {
  await runCli('destroy-controller', 'lab', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

const ns = (id: string) => `rune-${cid}-${id}`;
const netnsList = () =>
  readdirSync('/run/netns')
    .filter((n) => n.startsWith(`rune-${cid}-`))
    .sort();
const links = () =>
  readdirSync('/sys/class/net')
    .filter((n) => n.startsWith(`rn${cid}`))
    .sort();
const mounts = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(cid));
const sshdPids = (id: string) =>
  execFileSync('ip', ['netns', 'pids', ns(id)], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'sshd';
      } catch {
        return false;
      }
    })
    .map(Number);

async function exec(machine: string, command: string) {
  const r = await runCli('exec', '--machine', machine, '--', command);
  return { code: r.code, out: r.stdout.toString(), err: r.stderr.toString() + r.err.join('\n') };
}

describe('a local controller from the CLI', () => {
  it('bootstraps and makes three machines', async () => {
    expect((await runCli('bootstrap', 'local', 'lab')).code).toBe(0);
    cid = (
      JSON.parse(readFileSync(join(home, 'controllers', 'lab', 'controller.json'), 'utf8')) as {
        id: string;
      }
    ).id;
    // The controller sets up its bridge as it starts, before any machine is asked for.
    await waitFor("the controller's bridge", () => links().includes(`rn${cid}-br`), {
      timeoutMs: 10_000,
    });
    expect(netnsList()).toEqual([]);
    const r = await runCli('add-machine', '-n', '3');
    expect(r.err).toEqual([]);
    expect(r.out.map((l) => l.replace(/\(.*\)/, '(ADDR)'))).toEqual([
      'created machine 0 (ADDR)',
      'created machine 1 (ADDR)',
      'created machine 2 (ADDR)',
    ]);
    expect(netnsList()).toEqual([ns('0'), ns('1'), ns('2')]);
  });

  it('runs commands on each machine, each its own host', async () => {
    for (const id of ['0', '1', '2']) {
      expect(await exec(id, 'hostname; pgrep -c -x sshd')).toMatchObject({
        code: 0,
        out: `${ns(id)}\n2\n`,
      });
    }
  });

  it('opens OpenSSH to a machine with the pinned key, passing its exit code', async () => {
    expect((await runCli('ssh', '0', '--', `test "$(hostname)" = ${ns('0')}`)).code).toBe(0);
    expect((await runCli('ssh', '1', '--', 'exit 5')).code).toBe(5);
  });

  it('reports the machines in status', async () => {
    const r = await runCli('status', '--format', 'json');
    const status = JSON.parse(r.out.join('\n')) as {
      machines: Record<
        string,
        { 'machine-status': { current: string }; 'instance-id': string; base: string }
      >;
    };
    expect(
      Object.entries(status.machines).map(([id, m]) => [
        id,
        m['machine-status'].current,
        m['instance-id'],
        m.base,
      ]),
    ).toEqual([
      ['0', 'started', ns('0'), 'debian@12'],
      ['1', 'started', ns('1'), 'debian@12'],
      ['2', 'started', ns('2'), 'debian@12'],
    ]);
  });

  it('reconnects after sshd on a machine is killed and restarted', async () => {
    const before = sshdPids('1');
    expect(before.length).toBeGreaterThanOrEqual(2); // the listener and our connection
    for (const pid of before) process.kill(pid, 'SIGKILL');
    const out = await waitFor(
      'machine 1 to answer again after its sshd was killed',
      async () => {
        const r = await exec('1', 'echo back');
        return r.code === 0 ? r.out : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(out).toBe('back\n');
    expect(sshdPids('1').some((pid) => before.includes(pid))).toBe(false);
  });

  it('refuses a machine that presents a different host key', async () => {
    const key = '/etc/ssh/ssh_host_ed25519_key';
    expect(
      (await exec('2', `rm -f ${key} ${key}.pub && ssh-keygen -q -t ed25519 -N '' -f ${key}`)).code,
    ).toBe(0);
    for (const pid of sshdPids('2')) process.kill(pid, 'SIGKILL');
    const message = await waitFor(
      'machine 2 to be refused for its new host key',
      async () => {
        const r = await exec('2', 'true');
        return r.code === 1 && r.err.includes('has changed') ? r.err : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(message).toMatch(/expected SHA256:\S+, presented SHA256:\S+/);
    expect(message).toContain('rune remove-machine 2');
  });

  it('comes back after SIGKILL with every machine known and reachable', async () => {
    process.kill(controllerPid(home, 'lab') as number, 'SIGKILL');
    const r = await runCli('status', '--format', 'json');
    expect(r.err).toEqual(['Controller "lab" was not running: started it again.']);
    const machines = (
      JSON.parse(r.out.join('\n')) as {
        machines: Record<string, { 'machine-status': { current: string } }>;
      }
    ).machines;
    expect(Object.entries(machines).map(([id, m]) => [id, m['machine-status'].current])).toEqual([
      ['0', 'started'],
      ['1', 'started'],
      ['2', 'down'],
    ]);
    expect(netnsList()).toEqual([ns('0'), ns('1'), ns('2')]);
  });

  it('adds a local machine again by address, as a manual machine', async () => {
    const json = JSON.parse((await runCli('status', '--format', 'json')).out.join('\n')) as {
      machines: Record<string, { 'dns-name': string }>;
    };
    const address = json.machines['0']?.['dns-name'] as string;
    const key = join(home, 'controllers', 'lab', 'ssh', 'id_ed25519');
    const r = await runCli('add-machine', `ssh:root@${address}`, '--private-key', key);
    expect(r.out).toEqual([
      expect.stringMatching(
        new RegExp(
          `^created machine 3 \\(ssh:root@${address.replace(/\./g, '\\.')}, host key SHA256:\\S+\\)$`,
        ),
      ),
    ]);
    expect(await exec('3', 'hostname')).toMatchObject({ code: 0, out: `${ns('0')}\n` });
  });

  it('reaches root through sudo -n for a non-root user, and says so when sudo wants a password', async () => {
    const setup = [
      // usermod -p '*': no password, yet not locked (sshd without PAM refuses locked accounts).
      "for u in deploy stranger; do useradd -m -s /bin/sh $u && usermod -p '*' $u",
      'mkdir -p /home/$u/.ssh && cp /root/.ssh/authorized_keys /home/$u/.ssh/ && chown -R $u: /home/$u/.ssh; done',
      "echo 'deploy ALL=(ALL) NOPASSWD:ALL' > /etc/sudoers.d/deploy && chmod 440 /etc/sudoers.d/deploy",
    ].join('; ');
    expect((await exec('0', setup)).code).toBe(0);
    const address = (await exec('0', "hostname -I | cut -d' ' -f1")).out.trim();
    const key = join(home, 'controllers', 'lab', 'ssh', 'id_ed25519');
    const added = await runCli('add-machine', `ssh:deploy@${address}`, '--private-key', key);
    expect(added.out).toEqual([expect.stringMatching(/^created machine 4 \(ssh:deploy@/)]);
    expect(await exec('4', 'id -u; whoami')).toMatchObject({ code: 0, out: '0\nroot\n' });
    const refused = await runCli('add-machine', `ssh:stranger@${address}`, '--private-key', key);
    expect(refused.code).toBe(1);
    expect(refused.err).toEqual([
      `rune: stranger@${address} needs a password for sudo; Rune needs passwordless sudo for non-root users: add "stranger ALL=(ALL) NOPASSWD:ALL" to /etc/sudoers.d/rune, or log in as root`,
    ]);
  });

  it('uploads files atomically with their mode, and reads them back', async () => {
    const store = new SqliteStore(join(home, 'controllers', 'lab', 'store.db'));
    const record = store.machine('0');
    store.close();
    if (!record) throw new Error('machine 0 is not in the store');
    const machine = await connectMachine(
      {
        host: record.address,
        port: record.port,
        user: record.user,
        privateKey: readFileSync(record.keyFile, 'utf8'),
      },
      { pinned: record.hostKey },
    );
    try {
      const data = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 256));
      await machine.writeFile('/etc/rune-test/secret.bin', data, { mode: 0o600 });
      expect((await machine.readFile('/etc/rune-test/secret.bin')).equals(data)).toBe(true);
      expect(
        await exec('0', 'stat -c %a /etc/rune-test/secret.bin; ls /etc/rune-test'),
      ).toMatchObject({
        out: '600\nsecret.bin\n',
      });
    } finally {
      await machine.close();
    }
  });

  it('removes machines with their namespaces, links, mounts and processes', async () => {
    const r = await runCli('remove-machine', '1', '2', '3', '4');
    expect(r.out).toEqual([
      'removed machine 1',
      'removed machine 2',
      'removed machine 3',
      'removed machine 4',
    ]);
    expect(netnsList()).toEqual([ns('0')]);
    expect(links().filter((l) => !l.endsWith('-br'))).toEqual([`rn${cid}-h0`]);
    expect(mounts().filter((l) => l.includes(`${ns('1')}`) || l.includes(`${ns('2')}`))).toEqual(
      [],
    );
  });

  it('destroy-controller leaves nothing of it on the host', async () => {
    expect((await runCli('destroy-controller', 'lab', '--yes')).out).toEqual([
      'Destroyed controller "lab".',
    ]);
    expect(netnsList()).toEqual([]);
    expect(links()).toEqual([]);
    expect(mounts()).toEqual([]);
    const marker = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.includes(`rune-${cid}-`));
    expect(marker).toEqual([]);
  });
});
