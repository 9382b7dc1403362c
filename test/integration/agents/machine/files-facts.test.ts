// Files and facts on a real sshd: atomic writes with mode and owner, binary round trips, facts
// that match what the machine itself reports.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RemoteFileError } from '../../../../agents/machine/errors.js';
import {
  type ConnectedMachine,
  connectMachine,
} from '../../../../agents/machine/remote-machine.js';
import { type Sshd, startSshd } from '../../support/sshd.js';

let sshd: Sshd;
let machine: ConnectedMachine;

beforeAll(async () => {
  sshd = await startSshd();
  machine = await connectMachine(sshd.target(), {});
});

afterAll(async () => {
  await machine?.close();
  await sshd?.dispose();
});

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

test('writeFile applies mode and owner; readFile returns the same bytes', async () => {
  const path = join(sshd.dir, 'secret.key');
  await machine.writeFile(path, ALL_BYTES, { mode: 0o600, owner: 'nobody:nogroup' });
  const stat = await machine.run(`stat -c '%a %U:%G' ${path}`);
  expect(stat.stdout.toString()).toBe('600 nobody:nogroup\n');
  expect((await machine.readFile(path)).equals(ALL_BYTES)).toBe(true);
});

test('writeFile replaces a file atomically and leaves no temp file beside it', async () => {
  const dir = join(sshd.dir, 'atomic');
  await machine.run(`mkdir -p ${dir}`);
  const path = join(dir, 'config.yaml');
  await machine.writeFile(path, 'old\n');
  // The inode changes: the new content was renamed over the old file, not written into it.
  const before = (await machine.run(`stat -c %i ${path}`)).stdout.toString();
  await machine.writeFile(path, 'new\n');
  const after = (await machine.run(`stat -c %i ${path}`)).stdout.toString();
  expect(after).not.toBe(before);
  expect((await machine.readFile(path)).toString()).toBe('new\n');
  expect((await machine.run(`ls -A ${dir}`)).stdout.toString()).toBe('config.yaml\n');
  expect((await machine.run(`stat -c %a ${path}`)).stdout.toString()).toBe('644\n');
});

test('writeFile makes missing directories 0755 and gives an executable its mode', async () => {
  const path = join(sshd.dir, 'made', 'for', 'it', 'tool');
  await machine.writeFile(path, '#!/bin/sh\necho ran\n', { mode: 0o755 });
  const modes = await machine.run(`stat -c %a ${join(sshd.dir, 'made')} ${path}`);
  expect(modes.stdout.toString()).toBe('755\n755\n');
  expect((await machine.run(path)).stdout.toString()).toBe('ran\n');
});

test('a failed write names the path and leaves the old file in place', async () => {
  const path = join(sshd.dir, 'kept.txt');
  await machine.writeFile(path, 'kept\n');
  const write = machine.writeFile(path, 'lost\n', { owner: 'no-such-user-rune' });
  await expect(write).rejects.toBeInstanceOf(RemoteFileError);
  await expect(write).rejects.toThrow(`cannot write ${path} on 127.0.0.1`);
  expect((await machine.readFile(path)).toString()).toBe('kept\n');
  expect((await machine.run(`ls -A ${sshd.dir} | grep rune- || true`)).stdout.toString()).toBe('');
});

test('writeFiles writes each file with its own bytes and mode in one command', async () => {
  const dir = join(sshd.dir, 'batch', 'tls');
  // Sizes around head's buffer and an empty file: each file must end exactly where it should.
  const big = Buffer.alloc(9000, 7);
  const files = [
    { path: join(dir, 'ca.crt'), data: 'ca\n', mode: 0o644 },
    { path: join(dir, 'server.key'), data: ALL_BYTES, mode: 0o600 },
    { path: join(dir, 'empty'), data: '' },
    { path: join(dir, 'big'), data: big, mode: 0o640 },
    { path: join(dir, 'tool'), data: '#!/bin/sh\n', mode: 0o750 },
  ];
  expect(await machine.writeFiles(files)).toEqual([true, true, true, true, true]);
  expect((await machine.readFile(files[1]!.path)).equals(ALL_BYTES)).toBe(true);
  expect((await machine.readFile(files[2]!.path)).length).toBe(0);
  expect((await machine.readFile(files[3]!.path)).equals(big)).toBe(true);
  const modes = await machine.run(`cd ${dir} && stat -c '%n %a' ca.crt server.key big tool`);
  expect(modes.stdout.toString()).toBe('ca.crt 644\nserver.key 600\nbig 640\ntool 750\n');
  expect((await machine.run(`ls -A ${dir}`)).stdout.toString()).toBe(
    'big\nca.crt\nempty\nserver.key\ntool\n',
  );
});

test('writeFiles leaves a file that already holds its data alone when asked to', async () => {
  const path = join(sshd.dir, 'unit.conf');
  await machine.writeFile(path, 'same\n');
  const inode = async () => (await machine.run(`stat -c %i ${path}`)).stdout.toString();
  const before = await inode();
  const other = join(sshd.dir, 'other.conf');
  const files = [
    { path, data: 'same\n', onlyIfChanged: true },
    { path: other, data: 'new\n', onlyIfChanged: true },
  ];
  expect(await machine.writeFiles(files)).toEqual([false, true]);
  expect(await inode()).toBe(before);
  expect(await machine.writeFiles([{ path, data: 'changed\n', onlyIfChanged: true }])).toEqual([
    true,
  ]);
  expect((await machine.readFile(path)).toString()).toBe('changed\n');
  expect((await machine.run(`ls -A ${sshd.dir} | grep rune- || true`)).stdout.toString()).toBe('');
});

test('a failed writeFiles names the file it stopped at; those before it are written', async () => {
  const dir = join(sshd.dir, 'partial');
  const blocker = join(sshd.dir, 'a-file');
  await machine.writeFile(blocker, 'x');
  const write = machine.writeFiles([
    { path: join(dir, 'first'), data: '1' },
    { path: join(blocker, 'under-a-file'), data: '2' },
    { path: join(dir, 'third'), data: '3' },
  ]);
  await expect(write).rejects.toBeInstanceOf(RemoteFileError);
  await expect(write).rejects.toThrow(`cannot write ${join(blocker, 'under-a-file')} on`);
  expect((await machine.readFile(join(dir, 'first'))).toString()).toBe('1');
  expect((await machine.run(`ls -A ${dir}`)).stdout.toString()).toBe('first\n');
});

test('readFile of a missing file says so', async () => {
  await expect(machine.readFile('/nonexistent/rune')).rejects.toThrow(
    /cannot read \/nonexistent\/rune on 127.0.0.1: .*No such file/,
  );
});

test('facts describe the machine', async () => {
  const facts = await machine.facts();
  const osRelease = (await machine.readFile('/etc/os-release')).toString();
  expect(osRelease).toContain(`ID=${facts.os}`);
  expect(facts.arch).toMatch(/^(amd64|arm64)$/);
  expect(facts.cores).toBeGreaterThan(0);
  expect(facts.memoryBytes).toBeGreaterThan(0);
  expect(facts.rootDiskBytes).toBeGreaterThan(0);
  expect(facts.hostname).toBe(hostname());
  expect(facts.addresses.every((a) => !a.startsWith('127.'))).toBe(true);
  expect(facts.systemd).toBe((await machine.run('test -d /run/systemd/system')).code === 0);
  expect(await machine.facts()).toBe(facts);
});
