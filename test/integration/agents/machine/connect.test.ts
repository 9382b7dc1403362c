// Reaching a machine through a real sshd: reconnecting after sshd restarts, host-key pinning,
// a refused key and a closed port, each failing with its own typed error.
import { afterEach, expect, test } from 'vitest';
import { AuthError, ConnectError, HostKeyChangedError } from '../../../../agents/machine/errors.js';
import { connectMachine } from '../../../../agents/machine/remote-machine.js';
import { type Sshd, freePort, generateClientKey, startSshd } from '../../support/sshd.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sshdForTest(): Promise<Sshd> {
  const sshd = await startSshd();
  cleanups.push(() => sshd.dispose());
  return sshd;
}

test('first contact exposes the host key ssh-keygen prints', async () => {
  const sshd = await sshdForTest();
  const machine = await connectMachine(sshd.target(), {});
  cleanups.push(() => machine.close());
  expect(machine.hostKey).toBe(sshd.hostKeyFingerprint());
});

test('after sshd restarts, the next command reconnects and works', async () => {
  const sshd = await sshdForTest();
  const machine = await connectMachine(sshd.target(), {});
  cleanups.push(() => machine.close());
  expect((await machine.run('echo before')).stdout.toString()).toBe('before\n');
  await sshd.restart();
  expect((await machine.run('echo after')).stdout.toString()).toBe('after\n');
});

test('a changed host key is refused, naming both fingerprints and the remedy', async () => {
  const sshd = await sshdForTest();
  const first = await connectMachine(sshd.target(), {});
  const pinned = first.hostKey;
  await first.close();
  await sshd.swapHostKey();
  const presented = sshd.hostKeyFingerprint();
  const connect = connectMachine(sshd.target(), { pinned }, { machine: '3' });
  await expect(connect).rejects.toBeInstanceOf(HostKeyChangedError);
  await expect(connect).rejects.toThrow(
    `expected ${pinned}, presented ${presented}; this may be an attack. If the machine was ` +
      'rebuilt on purpose, run rune remove-machine 3 then rune add-machine again',
  );
});

test('a key changed under a live machine is refused on reconnect', async () => {
  const sshd = await sshdForTest();
  const machine = await connectMachine(sshd.target(), {});
  cleanups.push(() => machine.close());
  await sshd.swapHostKey();
  await expect(machine.run('true')).rejects.toBeInstanceOf(HostKeyChangedError);
  // Terminal: asking again does not retry into the impostor.
  await expect(machine.run('true')).rejects.toBeInstanceOf(HostKeyChangedError);
});

test('a key the machine does not authorise fails with AuthError', async () => {
  const sshd = await sshdForTest();
  const target = { ...sshd.target(), privateKey: generateClientKey().privateKey };
  const connect = connectMachine(target, {});
  await expect(connect).rejects.toBeInstanceOf(AuthError);
  await expect(connect).rejects.toThrow(
    `cannot log in as root@127.0.0.1:${sshd.port}: the key was refused`,
  );
  await expect(connect).rejects.not.toThrow(/PRIVATE KEY/);
});

test('a closed port fails with ConnectError', async () => {
  const port = await freePort();
  const connect = connectMachine(
    { host: '127.0.0.1', port, user: 'root', privateKey: generateClientKey().privateKey },
    {},
    { readyTimeoutMs: 2_000 },
  );
  await expect(connect).rejects.toBeInstanceOf(ConnectError);
  await expect(connect).rejects.toThrow(`cannot reach 127.0.0.1:${port}: connection refused`);
});

test('a key that is no key fails with ConnectError naming it, never quoting it', async () => {
  const port = await freePort();
  const garbled =
    '-----BEGIN OPENSSH PRIVATE KEY-----\nnot base64 at all\n-----END OPENSSH PRIVATE KEY-----\n';
  const connect = connectMachine(
    { host: '127.0.0.1', port, user: 'root', privateKey: garbled },
    {},
  );
  await expect(connect).rejects.toBeInstanceOf(ConnectError);
  await expect(connect).rejects.toThrow("the controller's private key cannot be parsed");
  await expect(connect).rejects.not.toThrow(/not base64/);
});
