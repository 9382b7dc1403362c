// A local machine as a boundary (issue 15 item 10), as root on this host: the host's private
// files, /tmp and Rune homes are out of a machine's sight, its processes lack the capabilities
// that reach past it, and packages still install. Fails (never skips) if not root.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEd25519KeyPair } from '../../../../agents/machine/ed25519-keys.js';
import { connectMachine } from '../../../../agents/machine/remote-machine.js';
import type { ConnectedMachine } from '../../../../agents/machine/remote-machine.js';
import { LocalProvider } from '../../../../agents/providers/local/local-provider.js';

if (process.platform !== 'linux' || process.getuid?.() !== 0) {
  throw new Error(
    'test/integration/agents/providers/local-boundary.test.ts needs root on Linux (local machines)',
  );
}

const controllerId = randomBytes(3).toString('hex');
const clientKey = newEd25519KeyPair('rune-test');
/** Capability numbers (linux/capability.h) of those a machine keeps. */
const KEPT: Record<string, number> = {
  chown: 0,
  dac_override: 1,
  fowner: 3,
  fsetid: 4,
  kill: 5,
  setgid: 6,
  setuid: 7,
  setpcap: 8,
  net_bind_service: 10,
  net_admin: 12,
  net_raw: 13,
  sys_chroot: 18,
  audit_write: 29,
  setfcap: 31,
};
const DROPPED: Record<string, number> = {
  dac_read_search: 2,
  linux_immutable: 9,
  sys_module: 16,
  sys_rawio: 17,
  sys_ptrace: 19,
  sys_admin: 21,
  sys_boot: 22,
  sys_time: 25,
  mknod: 27,
  mac_override: 32,
  mac_admin: 33,
  syslog: 34,
  bpf: 39,
};

// Host files a machine must not see: a root-only secret, a file in /tmp and in /var/tmp, and a
// Rune home inside /var (shared with machines), which only the provider's `hide` covers.
const secret = `/root/rune-secret-${controllerId}`;
const hostTmp = `/tmp/rune-host-${controllerId}`;
const hostVarTmp = `/var/tmp/rune-host-${controllerId}`;
const runeHome = `/var/lib/rune-test-home-${controllerId}`;

let stateDir = '';
let provider: LocalProvider | undefined;
let machine: ConnectedMachine | undefined;

async function onMachine(command: string): Promise<{ code: number; out: string }> {
  if (!machine) throw new Error('the machine was not created');
  const r = await machine.run(command, { timeoutMs: 30_000 });
  return { code: r.code, out: `${r.stdout.toString()}${r.stderr.toString()}` };
}

beforeAll(async () => {
  await writeFile(secret, 'host secret\n', { mode: 0o600 });
  await writeFile(hostTmp, 'host tmp\n');
  await writeFile(hostVarTmp, 'host var tmp\n');
  await mkdir(path.join(runeHome, 'controllers'), { recursive: true, mode: 0o700 });
  await writeFile(path.join(runeHome, 'controllers', 'store.db'), 'store\n', { mode: 0o600 });
  stateDir = await mkdtemp(path.join(tmpdir(), 'rune-local-'));
  provider = new LocalProvider({
    controllerId,
    stateDir,
    hide: [runeHome],
    authorizedKey: clientKey.public,
  });
  const m = await provider.create('0');
  machine = await connectMachine(
    { host: m.address, port: m.port, user: 'root', privateKey: clientKey.private },
    { pinned: m.hostKeyFingerprint },
  );
}, 60_000);

afterAll(async () => {
  await machine?.close();
  await provider?.destroyAll();
  if (stateDir !== '') await rm(stateDir, { recursive: true, force: true });
  await Promise.all(
    [secret, hostTmp, hostVarTmp, runeHome].map((p) => rm(p, { recursive: true, force: true })),
  );
}, 60_000);

describe(`a local machine's boundary (controller ${controllerId})`, () => {
  it("hides the host's homes, /tmp, /var/tmp and Rune homes: empty, as on a fresh host", async () => {
    const files = [secret, hostTmp, hostVarTmp, stateDir, path.join(runeHome, 'controllers')];
    for (const file of files) expect((await onMachine(`test -e ${file}`)).code, file).toBe(1);
    expect((await onMachine(`find ${runeHome} /home -mindepth 1 | wc -l`)).out.trim()).toBe('0');
    // /tmp is the machine's own, still world-writable and sticky; what it writes stays there.
    expect((await onMachine('stat -c %a /tmp /var/tmp')).out).toBe('1777\n1777\n');
    expect((await onMachine(`echo mine > /tmp/rune-machine-${controllerId}`)).code).toBe(0);
    expect(existsSync(`/tmp/rune-machine-${controllerId}`)).toBe(false);
  });

  it('runs every process with only the capabilities a machine needs', async () => {
    const expected = Object.values(KEPT).reduce((mask, bit) => mask | (1n << BigInt(bit)), 0n);
    const { out } = await onMachine('grep -h -E "^Cap(Bnd|Eff):" /proc/1/status /proc/self/status');
    const masks = out.trim().split('\n');
    expect(masks).toHaveLength(4);
    for (const line of masks) {
      const mask = BigInt(`0x${line.split(/\s+/)[1] ?? ''}`);
      expect(mask, line).toBe(expected);
      for (const [name, bit] of Object.entries(DROPPED))
        expect(mask & (1n << BigInt(bit)), name).toBe(0n);
    }
  });

  it('refuses what would reach past the machine: mounts, device nodes, kernel settings', async () => {
    expect((await onMachine('mount -t tmpfs none /mnt')).code).not.toBe(0);
    expect((await onMachine('mknod /tmp/disk b 254 0')).code).not.toBe(0);
    const corePattern = await onMachine('echo "|/bin/true" > /proc/sys/kernel/core_pattern');
    expect(corePattern.out).toMatch(/Read-only file system/);
    // The kernel's triggers and secrets this host's /proc has are /dev/null on a machine.
    const masked = await onMachine(
      'for f in sysrq-trigger kcore keys timer_list; do ' +
        '[ ! -e /proc/$f ] || stat -c "$f %t:%T" /proc/$f; done',
    );
    for (const line of masked.out.trim().split('\n')) expect(line).toMatch(/^\S+ 1:3$/);
    // Its own network namespace stays its to configure.
    expect((await onMachine('echo 1 > /proc/sys/net/ipv4/ip_forward')).code).toBe(0);
  });

  it('still installs a package and adds its system user, as charms do', async () => {
    const deb = [
      'set -e; d=$(mktemp -d); mkdir "$d/DEBIAN"',
      `printf 'Package: rune-probe\\nVersion: 1\\nArchitecture: all\\nMaintainer: Rune <rune@example.com>\\nDescription: probe\\n' > "$d/DEBIAN/control"`,
      'dpkg-deb -b "$d" /tmp/rune-probe.deb >/dev/null',
      'dpkg -i /tmp/rune-probe.deb >/dev/null',
      "dpkg-query -W -f '${Status}\\n' rune-probe",
      'useradd --system rune-probe && id -u rune-probe >/dev/null && echo user-added',
    ].join('\n');
    const { code, out } = await onMachine(deb);
    expect(out).toBe('install ok installed\nuser-added\n');
    expect(code).toBe(0);
  });
});
