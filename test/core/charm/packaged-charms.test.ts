// The build's bundling of shipped charms: every charm folder with code, nothing else, into a
// cache the loader then finds without building.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleCharmCode } from '../../../core/charm/index.js';
import { bundleShippedCharms } from '../../../core/charm/packaged-charms.js';

const runtime = fileURLToPath(new URL('../../fixtures/charms/runtime', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'rune-packaged-charms-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('bundleShippedCharms', () => {
  it('bundles each charm folder with code, skipping shared helper folders', async () => {
    const names = await bundleShippedCharms(runtime, scratch);
    expect(names).toEqual([
      'bad-http',
      'flaky',
      'kv-consumer',
      'kv-provider',
      'operator',
      'peer-counter',
      'sidecar',
      'sidecar-host',
    ]);
    const again = await bundleCharmCode(join(runtime, 'sidecar', 'charm.ts'), join(scratch, 'x'), [
      scratch,
    ]);
    expect(again.built).toBe(false);
  });
});
