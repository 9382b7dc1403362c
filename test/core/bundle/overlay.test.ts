import { describe, expect, it } from 'vitest';
import { validateFile, validateTexts } from './load.js';

describe('overlays (Juju merge rules)', () => {
  it('merges the documents of a multi-document file in order', () => {
    const { bundle } = validateFile('test/fixtures/bundles/valid/multi-document.yaml');
    expect(bundle).toBeDefined();
    if (!bundle) return;
    const app = (name: string) => bundle.applications.find((a) => a.name === name);
    // Fields merge one by one; options merge key by key.
    expect(app('etcd')?.numUnits).toBe(3);
    expect(app('etcd')?.options).toEqual({ port: 2379, heartbeat_interval: 300 });
    expect(app('easyrsa')?.expose).toBe(true);
    expect(app('easyrsa')?.numUnits).toBe(1);
    // An empty body removes the application and its relations; relations are appended.
    expect(app('kubernetes-worker')).toBeUndefined();
    expect(
      bundle.relations.map((r) => r.endpoints.map((e) => `${e.application}:${e.name}`).join(' ')),
    ).toEqual(['etcd:certificates easyrsa:client', 'backup-etcd:certificates easyrsa:client']);
    // Machines are replaced by id.
    expect(bundle.machines).toEqual([{ id: '0', constraints: 'mem=8G' }]);
  });

  it('an overlay that is not a map is an error at its place', () => {
    const result = validateTexts([
      { file: 'base.yaml', text: 'applications:\n  etcd:\n    charm: etcd\n' },
      { file: 'over.yaml', text: '- etcd\n' },
    ]);
    expect(result.bundle).toBeUndefined();
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.message}`)).toEqual([
      'over.yaml:1:1 a bundle document must be a map of fields',
    ]);
  });

  it('removing an application nothing defines is a warning, not an error', () => {
    const result = validateTexts([
      { file: 'base.yaml', text: 'applications:\n  etcd:\n    charm: etcd\n' },
      { file: 'over.yaml', text: 'applications:\n  mysql:\n' },
    ]);
    expect(result.bundle).toBeDefined();
    expect(
      result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.path}: ${d.message}`),
    ).toEqual([
      'over.yaml:2:3 applications.mysql: an empty body removes "mysql", but nothing before this overlay defines it',
    ]);
  });
});
