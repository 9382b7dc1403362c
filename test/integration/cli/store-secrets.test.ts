// Secrets at rest with a running local controller (issue 15 item 6), as root: easyrsa's CA key
// lives in its leader settings, yet no store file holds a PEM private key and every one is
// 0600; rotate-store-key stops the controller, re-encrypts, starts it again, and easyrsa stays
// active, its backup action runs, and nothing under the old key is left in the files.
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResponse } from '../../../core/controller/api.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { StoreCipher } from '../../../core/store/store-cipher.js';
import { readStoreKey, storeKeyId } from '../../../core/store/store-key.js';
import { runCli } from '../../core/cli/run-cli.js';

if (process.getuid?.() !== 0) {
  throw new Error('test/integration/cli/store-secrets.test.ts needs root (local machines)');
}

let home: string;
const previousHome = process.env.RUNE_HOME;

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
  expect((await runCli('bootstrap', 'local', 'vault')).code).toBe(0);
});

afterAll(async () => {
  await runCli('destroy-controller', 'vault', '--yes');
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

const dir = () => join(home, 'controllers', 'vault');

/** store.db and its WAL files: name → [mode, text as latin1]. */
function storeFiles(): Record<string, [string, string]> {
  return Object.fromEntries(
    readdirSync(dir())
      .filter((f) => f.startsWith('store.'))
      .map((f) => [
        f,
        [
          (statSync(join(dir(), f)).mode & 0o777).toString(8),
          readFileSync(join(dir(), f)).toString('latin1'),
        ],
      ]),
  );
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

async function easyrsa(): Promise<string> {
  const r = await runCli('status', '--format', 'json');
  const s = JSON.parse(r.out.join('\n')) as StatusResponse;
  const unit = Object.values(s.applications?.easyrsa?.units ?? {})[0];
  return `${unit?.['workload-status'].current} ${unit?.['workload-status'].message}`;
}

describe('secrets at rest in a running controller', () => {
  it("keeps easyrsa's CA key out of the store files, all of them 0600", async () => {
    const r = await runCli('deploy', 'easyrsa', '--wait=5m');
    expect(r.code, r.err.join('\n')).toBe(0);
    await waitFor(
      'easyrsa active',
      async () => (await easyrsa()) === 'active Certificate Authority ready.',
      { timeoutMs: 300_000 },
    );
    // The CA key is there, sealed: opened with the key file, a leader setting holds it.
    const db = new Database(join(dir(), 'store.db'), { readonly: true });
    const cipher = new StoreCipher(readStoreKey(join(dir(), 'store.key')));
    const settings = (
      db.prepare(`SELECT value FROM leader_settings`).all() as { value: string }[]
    ).map((r) => cipher.open(r.value, 'leader_settings.value'));
    db.close();
    expect(settings.filter((v) => v.includes('PRIVATE KEY'))).toHaveLength(1);
    const files = storeFiles();
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['store.db', 'store.key']));
    for (const [name, [mode, text]] of Object.entries(files)) {
      expect([name, mode]).toEqual([name, '600']);
      expect([name, count(text, 'PRIVATE KEY')]).toEqual([name, 0]);
    }
  }, 360_000);

  it('rotates the key with the controller running: stopped, re-encrypted, started again', async () => {
    const before = storeKeyId(readFileSync(join(dir(), 'store.key')));
    const r = await runCli('rotate-store-key', 'vault');
    expect(r.code, r.err.join('\n')).toBe(0);
    const after = storeKeyId(readFileSync(join(dir(), 'store.key')));
    expect(after).not.toBe(before);
    expect(r.out).toEqual([
      'Stopping controller "vault" (hooks in flight finish first)...',
      expect.stringMatching(new RegExp(`^Store key rotated: ${before} -> ${after}, \\d+ values`)),
      'Starting controller "vault" again...',
      'Controller "vault" is running again.',
    ]);
    expect(await easyrsa()).toBe('active Certificate Authority ready.');
    // An action reads the CA key from the leader settings and records results: both under the
    // new key, in the restarted controller.
    const backup = await runCli('run', 'easyrsa/0', 'backup', '--wait=2m');
    expect(backup.code, [...backup.out, ...backup.err].join('\n')).toBe(0);
    for (const [name, [mode, text]] of Object.entries(storeFiles())) {
      expect([name, mode]).toEqual([name, '600']);
      expect([name, count(text, 'PRIVATE KEY'), count(text, `enc1:${before}`)]).toEqual([
        name,
        0,
        0,
      ]);
    }
  }, 300_000);
});
