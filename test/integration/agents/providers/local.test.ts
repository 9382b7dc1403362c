// The local provider on this host, as root: three machines reached over SSH with pinned host
// keys, isolated from each other and the host, destroyed without leftovers, and a dead
// provider's machines swept by a new one with the same controller id. Fails (never skips) if not root.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'ssh2';
import { newEd25519KeyPair } from '../../../../agents/machine/ed25519-keys.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOfBlob } from '../../../../agents/providers/local/fingerprint.js';
import { LocalProvider } from '../../../../agents/providers/local/local-provider.js';
import { bridgeName, vethHostName } from '../../../../agents/providers/local/names.js';
import type { ProvisionedMachine } from '../../../../core/model/machine.js';

const IS_ROOT = process.platform === 'linux' && process.getuid?.() === 0;
const controllerId = randomBytes(3).toString('hex');
const clientKey = newEd25519KeyPair('rune-test');

interface Result {
  stdout: string;
  code: number | null;
}

/** Runs `command` on `m` over SSH, refusing any host key but the one `create` reported. */
function ssh(
  m: ProvisionedMachine,
  command: string,
  fingerprint = m.hostKeyFingerprint,
): Promise<Result> {
  return new Promise((resolve, reject) => {
    const conn = new Client();
    conn
      .on('ready', () => {
        conn.exec(command, (err, stream) => {
          if (err) return reject(err);
          let stdout = '';
          stream.on('data', (d: Buffer) => (stdout += d.toString()));
          stream.stderr.on('data', () => undefined);
          stream.on('close', (code: number | null) => {
            conn.end();
            resolve({ stdout, code });
          });
        });
      })
      .on('error', reject)
      .connect({
        host: m.address,
        port: m.port,
        username: 'root',
        privateKey: clientKey.private,
        readyTimeout: 10_000,
        hostVerifier: (key: Buffer) => fingerprintOfBlob(key) === fingerprint,
      });
  });
}

const mountinfo = (): string => readFileSync('/proc/self/mountinfo', 'utf8');

/** Host pids of a machine's processes: its netns members plus its `unshare` (by marker). */
function hostPidsOf(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (argv.includes(`rune-machine:${name}`)) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Everything on the host still named for this controller. */
function leftovers(): string[] {
  const found: string[] = [];
  const netns = existsSync('/run/netns') ? readdirSync('/run/netns') : [];
  for (const n of netns) if (n.includes(controllerId)) found.push(`netns ${n}`);
  for (const n of readdirSync('/sys/class/net'))
    if (n.includes(controllerId)) found.push(`link ${n}`);
  for (const line of mountinfo().split('\n'))
    if (line.includes(controllerId)) found.push(`mount ${line}`);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (
        readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(
          `rune-machine:rune-${controllerId}-`,
        )
      ) {
        if (alive(Number(entry))) found.push(`process ${entry}`);
      }
    } catch {
      // exited while we looked
    }
  }
  return found;
}

describe(`local provider on this host (controller ${controllerId})`, () => {
  let stateDir = '';
  let provider: LocalProvider | undefined;
  const machines: ProvisionedMachine[] = [];
  const machine = (i: number): ProvisionedMachine => {
    const m = machines[i];
    if (!m) throw new Error(`machine ${i} was not created`);
    return m;
  };
  const newProvider = (): LocalProvider =>
    new LocalProvider({ controllerId, stateDir, authorizedKey: clientKey.public });

  beforeAll(async () => {
    if (!IS_ROOT) {
      throw new Error(
        'this test needs root on Linux: the local provider makes network namespaces, a bridge, ' +
          'veths and overlay mounts. Run it as root (CI does); it is never skipped.',
      );
    }
    stateDir = await mkdtemp(path.join(tmpdir(), 'rune-local-'));
    provider = newProvider();
    for (const id of ['0', '1', '2']) {
      const started = performance.now();
      machines.push(await provider.create(id));
      console.log(
        `local provider: created machine ${id} in ${Math.round(performance.now() - started)} ms`,
      );
    }
  }, 60_000);

  afterAll(async () => {
    if (!IS_ROOT) return;
    await provider?.destroyAll();
    await newProvider().sweep([]);
    if (stateDir !== '') await rm(stateDir, { recursive: true, force: true });
    expect(leftovers()).toEqual([]);
  }, 60_000);

  it('gives each machine its own pinned host key, hostname and the controller key for root', async () => {
    const fingerprints = new Set(machines.map((m) => m.hostKeyFingerprint));
    expect(fingerprints.size).toBe(3);
    for (const m of machines) {
      expect(m.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
      const { stdout, code } = await ssh(
        m,
        'hostname; cat /etc/hostname; cat /root/.ssh/authorized_keys',
      );
      expect(code).toBe(0);
      expect(stdout.split('\n')).toEqual([m.instanceId, m.instanceId, clientKey.public.trim(), '']);
    }
  });

  it("configures each machine's network: its address, loopback, a default route via the bridge", async () => {
    for (const m of machines) {
      const { stdout, code } = await ssh(
        m,
        'ip -4 -o addr show dev eth0; ip -o link show lo; ip -4 route show default',
      );
      expect(code).toBe(0);
      const [addr = '', lo = '', route = ''] = stdout.trim().split('\n');
      expect(addr).toContain(` inet ${m.address}/16 `);
      expect(lo).toMatch(/<LOOPBACK,UP,LOWER_UP>/);
      // The bridge holds .0.1 of the machines' /16.
      expect(route).toBe(`default via ${m.address.split('.').slice(0, 2).join('.')}.0.1 dev eth0`);
    }
  });

  it('refuses a machine whose host key is not the one create() reported', async () => {
    await expect(ssh(machine(0), 'true', machine(1).hostKeyFingerprint)).rejects.toThrow();
  });

  it('shows each machine only its own processes: one sshd listener, tini as PID 1', async () => {
    for (const m of machines) {
      const { stdout } = await ssh(m, 'pgrep -a sshd; echo ---; ps -o comm= -p 1; ps -e -o comm=');
      const [sshds = '', rest = ''] = stdout.split('---\n');
      const lines = sshds.trim().split('\n');
      expect(lines.every((l) => /^\d+ sshd/.test(l))).toBe(true);
      expect(lines.filter((l) => l.includes('[listener]'))).toHaveLength(1);
      const [init, ...all] = rest.trim().split('\n');
      expect(init).toBe('tini');
      expect(all).not.toContain('node');
    }
  });

  it('lets a non-root user use the machine: / is 0755, as on any host', async () => {
    const { stdout } = await ssh(
      machine(0),
      'stat -c %a /; setpriv --reuid=nobody --regid=nogroup --clear-groups ls -d /etc',
    );
    expect(stdout).toBe('755\n/etc\n');
  });

  it('keeps a file written on one machine off the host and off the other machines', async () => {
    const file = `/root/rune-marker-${controllerId}`;
    expect((await ssh(machine(0), `echo written-on-0 > ${file} && cat ${file}`)).stdout).toBe(
      'written-on-0\n',
    );
    expect(existsSync(file)).toBe(false);
    expect((await ssh(machine(1), `test -e ${file}`)).code).toBe(1);
    // ...and the controller's state dir (keys, other machines' upper dirs) is hidden from machines.
    expect((await ssh(machine(1), `ls -A ${stateDir} | wc -l`)).stdout.trim()).toBe('0');
  });

  it('refuses to create a machine id that already exists, leaving the existing one running', async () => {
    await expect(provider?.create('0')).rejects.toThrow(
      /local machine 0: netns failed: .*already exists/,
    );
    expect((await ssh(machine(0), 'hostname')).stdout).toBe(`${machine(0).instanceId}\n`);
  });

  it('lets machines reach each other on port 22', async () => {
    const other = machine(1).address;
    const probe = `timeout 5 bash -c 'exec 3<>/dev/tcp/${other}/22 && head -c 4 <&3'`;
    expect((await ssh(machine(0), probe)).stdout).toBe('SSH-');
  });

  it('destroys a machine with its processes, netns, veth, mounts and state, idempotently', async () => {
    const m = machine(2);
    const pids = hostPidsOf(m.instanceId);
    expect(pids.length).toBeGreaterThan(0);
    const started = performance.now();
    await provider?.destroy(m.instanceId);
    console.log(
      `local provider: destroyed machine 2 in ${Math.round(performance.now() - started)} ms`,
    );
    expect(pids.filter(alive)).toEqual([]);
    expect(hostPidsOf(m.instanceId).filter(alive)).toEqual([]);
    expect(existsSync(`/run/netns/${m.instanceId}`)).toBe(false);
    expect(existsSync(`/sys/class/net/${vethHostName(controllerId, '2')}`)).toBe(false);
    expect(mountinfo()).not.toContain(m.instanceId);
    expect(existsSync(path.join(stateDir, 'machines', m.instanceId))).toBe(false);
    await provider?.destroy(m.instanceId);
    // The other machines are untouched.
    expect((await ssh(machine(0), 'hostname')).stdout).toBe(`${machine(0).instanceId}\n`);
  });

  it("sweeps an abandoned provider's machine, sparing the live ones, then everything", async () => {
    const abandoned = await newProvider().create('7');
    expect(hostPidsOf(abandoned.instanceId).length).toBeGreaterThan(0);

    const live = [machine(0).instanceId, machine(1).instanceId];
    expect(await newProvider().sweep(live)).toEqual([abandoned.instanceId]);
    expect(hostPidsOf(abandoned.instanceId).filter(alive)).toEqual([]);
    expect(existsSync(`/run/netns/${abandoned.instanceId}`)).toBe(false);
    expect((await ssh(machine(1), 'hostname')).stdout).toBe(`${machine(1).instanceId}\n`);

    expect(await newProvider().sweep([])).toEqual(live);
    expect(existsSync(`/sys/class/net/${bridgeName(controllerId)}`)).toBe(false);
    expect(leftovers()).toEqual([]);
  });
});
