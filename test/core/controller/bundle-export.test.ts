// export-bundle and diff-bundle over a real store and the real charms (machines are FAKE
// records, see model-operations-setup.ts): the round trip, secrets left out, local charm paths,
// and bad input refused with the file named and the model unchanged.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CharmRepository } from '../../../core/charm/repository.js';
import {
  diffModel,
  exportedCharmRef,
  exportModel,
} from '../../../core/controller/bundle-export.js';
import { BundleInvalidError, FileReadError } from '../../../core/controller/errors.js';
import { dump, K8S, removeTestDirs, setup } from './model-operations-setup.js';

afterEach(removeTestDirs);
const charms = new CharmRepository();

describe('exportModel', () => {
  it('round-trips kubernetes-core: the export deployed afresh exports the same text', async () => {
    const first = setup();
    await first.ops.deploy(K8S, []);
    const exported = exportModel(first.store, charms);
    expect(exported.warnings).toEqual([]);
    expect(exported.bundle).toContain('  flannel:\n    charm: flannel\n  kubernetes-master:');
    expect(exported.bundle).toContain('machines:\n  "0":\n    constraints: cores=2 mem=4G');
    expect(exported.bundle).toContain('  - [flannel:cni, kubernetes-worker:cni]\n');

    // The same export deployed again on its own model plans nothing.
    const file = first.file('export.yaml', exported.bundle);
    const before = dump(first.store);
    expect(await first.ops.deploy(file, [])).toEqual({ changes: [], warnings: [] });
    expect(dump(first.store)).toEqual(before);

    const second = setup();
    const deployed = await second.ops.deploy(second.file('export.yaml', exported.bundle), []);
    expect(deployed.warnings).toEqual([]);
    expect(second.made).toEqual(first.made);
    expect(exportModel(second.store, charms).bundle).toBe(exported.bundle);
  });

  it('leaves out an option that holds a secret, with a warning, and defaults', async () => {
    const m = setup();
    m.file('vault/metadata.yaml', 'name: vault\nsummary: Keeps a password.\n');
    m.file(
      'vault/config.yaml',
      [
        'options:',
        '  admin-password: {type: string, default: "", description: Password.}',
        '  port: {type: int, default: 8200, description: Port.}',
        '  motd: {type: string, default: hi, description: Greeting.}',
      ].join('\n'),
    );
    m.file('vault/charm.ts', 'export {};\n');
    const bundle = m.file(
      'vault.yaml',
      [
        'applications:',
        '  vault:',
        '    charm: ./vault',
        '    num_units: 1',
        '    options: {admin-password: hunter2, port: 8200, motd: hello}',
      ].join('\n'),
    );
    await m.ops.deploy(bundle, []);
    const { bundle: text, warnings } = exportModel(m.store, charms, m.dir);
    expect(text).not.toContain('hunter2');
    expect(text).toContain('    charm: ./vault\n');
    expect(text).toContain('    options:\n      motd: hello\n');
    expect(text).not.toContain('port');
    // Saved beside the charm's folder, deploy takes it as it is, and it plans nothing.
    expect(await m.ops.deploy(m.file('vault-export.yaml', text), [])).toEqual({
      changes: [],
      warnings: [],
    });
    expect(warnings).toEqual([
      'left out vault option admin-password: it holds a secret, and secrets are never exported',
    ]);
    // The diff never prints it either, from the bundle's side or the model's.
    m.ops.setConfig('vault', { 'admin-password': 'other' }, []);
    expect(diffModel(m.store, charms, bundle, []).diff).toBe('');
  });
});

describe('exportedCharmRef', () => {
  it('names a shipped charm, and writes a local folder relative to the output or absolute', () => {
    expect(exportedCharmRef({ charmDir: join(charms.root, 'etcd') }, charms)).toBe('etcd');
    expect(exportedCharmRef({ charmDir: '/srv/charms/mine' }, charms)).toBe('/srv/charms/mine');
    expect(exportedCharmRef({ charmDir: '/srv/charms/mine' }, charms, '/srv')).toBe(
      './charms/mine',
    );
    expect(exportedCharmRef({ charmDir: '/srv/charms/mine' }, charms, '/home/me')).toBe(
      '../../srv/charms/mine',
    );
  });
});

describe('diffModel', () => {
  it('prints nothing for the bundle deployed, and a config change once made', async () => {
    const m = setup();
    await m.ops.deploy(K8S, []);
    const file = m.file('export.yaml', exportModel(m.store, charms).bundle);
    expect(diffModel(m.store, charms, file, []).diff).toBe('');
    expect(diffModel(m.store, charms, K8S, []).diff).toBe('');
    m.ops.setConfig('kubernetes-worker', { labels: 'tier=web' }, []);
    expect(diffModel(m.store, charms, file, []).diff).toBe(
      [
        'applications:',
        '  kubernetes-worker:',
        '    options:',
        '      labels:',
        '        bundle: ""',
        '        model: tier=web',
        '',
      ].join('\n'),
    );
  });

  it('refuses a missing file and an invalid bundle, naming the file, changing nothing', async () => {
    const m = setup();
    await m.ops.deploy(K8S, []);
    const before = dump(m.store);
    const missing = join(m.dir, 'nope.yaml');
    expect(() => diffModel(m.store, charms, missing, [])).toThrow(FileReadError);
    expect(() => diffModel(m.store, charms, missing, [])).toThrow(
      `cannot read ${missing}: no such file`,
    );
    const bad = m.file('bad.yaml', 'applications:\n  etcd:\n    charm: etcd\n    num_units: two\n');
    expect(() => diffModel(m.store, charms, bad, [])).toThrow(BundleInvalidError);
    expect(() => diffModel(m.store, charms, bad, [])).toThrow(
      `${bad}:4:16 applications.etcd.num_units:`,
    );
    expect(dump(m.store)).toEqual(before);
  });
});
