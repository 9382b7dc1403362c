// The controller as a user drives it from the CLI, on a manual controller (no local machines):
// bootstrap, controllers, add-machine over SSH to a real sshd with its key pinned, exec, status,
// remove-machine, bad input, restart after SIGKILL, destroy-controller.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controllerPid } from '../../../core/controller/process.js';
import { SqliteStore } from '../../../core/store/sqlite-store.js';
import { runCli } from '../../core/cli/run-cli.js';
import { generateClientKey, type Sshd, startSshd } from '../support/sshd.js';

let sshd: Sshd;
let home: string;
let keyFile: string;
let strangerKey: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  sshd = await startSshd();
  keyFile = join(home, 'client.key');
  writeFileSync(keyFile, sshd.clientKey, { mode: 0o600 });
  strangerKey = join(home, 'stranger.key');
  writeFileSync(strangerKey, generateClientKey().privateKey, { mode: 0o600 });
});

afterAll(async () => {
  await runCli('destroy-controller', 'ops', '--yes');
  await sshd.dispose();
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

const machineIds = () => {
  const store = new SqliteStore(join(home, 'controllers', 'ops', 'store.db'));
  try {
    return store.machines().map((m) => m.id);
  } finally {
    store.close();
  }
};

describe('a manual controller from the CLI', () => {
  it('bootstraps in the background and lists itself', async () => {
    const r = await runCli('bootstrap', 'manual', 'ops');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^Bootstrapped controller "ops" \(manual provider, pid \d+\)\.$/);
    const list = await runCli('controllers');
    expect(list.out[0]).toMatch(/^Controller +Provider +Id +Status$/);
    expect(list.out[1]).toMatch(/^ops\* +manual +[0-9a-f]{6} +running \(pid \d+\)$/);
  });

  it('adds an existing host, printing the pinned fingerprint', async () => {
    const target = `ssh:root@${sshd.host}:${sshd.port}`;
    const r = await runCli('add-machine', target, '--private-key', keyFile);
    expect(r.err).toEqual([]);
    expect(r.out).toEqual([`created machine 0 (${target}, host key ${sshd.hostKeyFingerprint()})`]);
  });

  it('runs commands there, streaming output and passing the exit code', async () => {
    const r = await runCli('exec', '--machine', '0', '--', 'echo out; echo err >&2; exit 7');
    expect(r.code).toBe(7);
    expect(r.stdout.toString()).toBe('out\n');
    expect(r.stderr.toString()).toBe('err\n');
  });

  it('shows the machine in status as tabular and JSON', async () => {
    const json = await runCli('status', '--format', 'json');
    expect(json.code).toBe(0);
    const status = JSON.parse(json.out.join('\n')) as {
      machines: Record<string, Record<string, unknown>>;
    };
    expect(status.machines['0']).toMatchObject({
      'machine-status': { current: 'started', message: '' },
      'agent-status': { current: 'idle' },
      'dns-name': sshd.host,
      'instance-id': `manual:${sshd.host}`,
      base: 'debian@12',
    });
    expect(status.machines['0']?.hardware).toMatch(
      /^arch=amd64 cores=\d+ mem=\d+M root-disk=\d+M$/,
    );
    const table = await runCli('status');
    expect(table.out[0]).toMatch(/^Model +Controller +Cloud\/Region +Version$/);
    expect(table.out).toContainEqual(
      expect.stringMatching(/^Machine +State +Address +Inst-id +Base +Message$/),
    );
    expect(table.out).toContainEqual(
      expect.stringMatching(new RegExp(`^0 +started +${sshd.host.replace(/\./g, '\\.')} +manual:`)),
    );
  });

  it.each([
    [['add-machine', 'ssh:root@'], 1, 'rune: invalid target "ssh:root@": the host is missing'],
    [
      ['add-machine', 'ssh:root@127.0.0.1:1', '--private-key', 'KEY'],
      1,
      /^rune: cannot reach 127\.0\.0\.1:1/,
    ],
    [
      ['add-machine', 'ssh:root@127.0.0.1', '--private-key', '/no/such/key'],
      1,
      'rune: cannot read private key /no/such/key: no such file',
    ],
    [
      ['add-machine', 'SSHD', '--private-key', 'STRANGER'],
      1,
      /^rune: cannot log in as root@127\.0\.0\.1:\d+: the key was refused/,
    ],
    [
      ['add-machine', 'ssh:root@127.0.0.1', '-n', '2'],
      2,
      'rune: -n applies to new machines, not to an ssh: target',
    ],
    [['remove-machine', '42'], 1, 'rune: machine 42 not found; rune status lists the machines'],
    [['remove-machine', 'x1'], 2, 'rune: invalid machine id "x1"'],
    [['exec', '--', 'true'], 2, 'rune: exec needs --machine N'],
    [
      ['exec', '--machine', '9', '--', 'true'],
      1,
      'rune: machine 9 not found; rune status lists the machines',
    ],
    [
      ['destroy-controller', 'ops'],
      2,
      'rune: this destroys controller "ops" and every machine it made; run again with --yes',
    ],
  ])('refuses %j with exit %i and leaves the model as it was', async (argv, code, message) => {
    const before = machineIds();
    const given: Record<string, string> = {
      KEY: keyFile,
      STRANGER: strangerKey,
      SSHD: `ssh:root@${sshd.host}:${sshd.port}`,
    };
    const args = argv.map((a) => given[a] ?? a);
    const r = await runCli(...args);
    expect(r.code).toBe(code);
    if (typeof message === 'string') expect(r.err[0]).toBe(message);
    else expect(r.err[0]).toMatch(message);
    expect(machineIds()).toEqual(before);
  });

  it('refuses an invalid bundle naming the file as typed, and changes nothing', async () => {
    const dir = mkdtempSync(join(process.cwd(), '.rune-test-bundle-'));
    try {
      const typed = relative(process.cwd(), join(dir, 'bad.yaml'));
      writeFileSync(typed, 'applications:\n  etcd:\n    charm: etcd\n    num_units: three\n');
      const applications = async () =>
        (
          JSON.parse((await runCli('status', '--format', 'json')).out.join('\n')) as {
            applications?: object;
          }
        ).applications;
      const before = await applications();
      const r = await runCli('deploy', typed);
      expect(r.code).toBe(1);
      expect(r.err[0]).toMatch(new RegExp(`^${typed.replace(/\./g, '\\.')}:4:16 `));
      expect(r.err.at(-1)).toBe('bundle is invalid: 1 error, 0 warnings');
      const missing = await runCli('deploy', 'no-such-bundle.yaml');
      expect(missing.code).toBe(1);
      expect(missing.err).toEqual(['rune: cannot read no-such-bundle.yaml: no such file']);
      expect(await applications()).toEqual(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a machine whose host key changed, naming both fingerprints', async () => {
    const pinned = sshd.hostKeyFingerprint();
    await sshd.swapHostKey();
    const r = await runCli('exec', '--machine', '0', '--', 'true');
    expect(r.code).toBe(1);
    expect(r.err.join('\n')).toContain(pinned);
    expect(r.err.join('\n')).toContain(sshd.hostKeyFingerprint());
    expect(r.err.join('\n')).toContain('remove-machine 0');
  });

  it('comes back after SIGKILL with its machines known', async () => {
    const pid = controllerPid(home, 'ops');
    expect(pid).toBeDefined();
    process.kill(pid as number, 'SIGKILL');
    const r = await runCli('status', '--format', 'json');
    expect(r.err).toEqual(['Controller "ops" was not running: started it again.']);
    expect(Object.keys((JSON.parse(r.out.join('\n')) as { machines: object }).machines)).toEqual([
      '0',
    ]);
  });

  it('removes the machine, then refuses to remove it twice', async () => {
    expect((await runCli('remove-machine', '0')).out).toEqual(['removed machine 0']);
    const again = await runCli('remove-machine', '0');
    expect(again.code).toBe(1);
    expect(again.err).toEqual(['rune: machine 0 not found; rune status lists the machines']);
  });

  it('destroy-controller stops it and removes its folder', async () => {
    const r = await runCli('destroy-controller', 'ops', '--yes');
    expect(r.out).toEqual(['Destroyed controller "ops".']);
    expect((await runCli('controllers')).out).toEqual([
      'No controllers; rune bootstrap creates one.',
    ]);
  });
});
