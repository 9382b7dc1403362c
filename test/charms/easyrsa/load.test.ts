// easyrsa as Rune deploys it: bundled by the real loader into a cache outside the source tree,
// where no node_modules is in reach, so the bundle must carry node-forge itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Harness, loadCharmModule } from '../../../core/charm/index.js';

const dir = fileURLToPath(new URL('../../../charms/easyrsa', import.meta.url));
const cache = mkdtempSync(join(tmpdir(), 'easyrsa-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

describe('easyrsa: loading', () => {
  it('loads from a cache outside the tree and creates its CA', async () => {
    const module = await loadCharmModule(dir, cache);
    const out = await Harness.load(dir, module).run(
      { unit: 'easyrsa/0', isLeader: true },
      'install',
    );
    expect(out.error).toBeUndefined();
    expect(out.state.status).toEqual({ kind: 'active', message: 'Certificate Authority ready.' });
    expect(out.state.leaderSettings?.['ca.crt']).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});
