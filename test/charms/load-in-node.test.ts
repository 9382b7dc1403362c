// The five charms as the controller loads them: bundled by the built loader (dist/) in a plain
// Node process, not under vitest, whose module runner hides what plain Node lacks (a CommonJS
// dependency's require() of a builtin failed only there). `npm test` builds dist/ first.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const loader = resolve('dist/core/charm/index.js');
const cache = mkdtempSync(join(tmpdir(), 'charm-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const script = `
const { loadCharmModule, Harness } = await import(process.argv[1]);
const out = {};
for (const name of ['easyrsa', 'etcd', 'flannel', 'kubernetes-master', 'kubernetes-worker']) {
  const module = await loadCharmModule('charms/' + name, process.argv[2]);
  out[name] = Object.keys(module.actions).sort();
}
const easyrsa = await loadCharmModule('charms/easyrsa', process.argv[2]);
const run = await Harness.load('charms/easyrsa', easyrsa).run({ unit: 'easyrsa/0', isLeader: true }, 'install');
out.easyrsaStatus = run.state.status;
console.log(JSON.stringify(out));
`;

describe('shipped charms in plain Node', () => {
  it('bundle, load and run (easyrsa creates its CA with node-forge inside the bundle)', () => {
    expect(existsSync(loader), 'run npm run build first (npm test does)').toBe(true);
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', script, loader, cache],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(JSON.parse(out)).toEqual({
      easyrsa: ['backup', 'list-backups', 'list-certs', 'restore', 'rotate-ca', 'rotate-certs'],
      etcd: ['compact', 'defrag', 'health', 'restore', 'snapshot'],
      flannel: [],
      'kubernetes-master': ['get-kubeconfig', 'restart', 'upgrade'],
      'kubernetes-worker': ['pause', 'resume', 'upgrade'],
      easyrsaStatus: { kind: 'active', message: 'Certificate Authority ready.' },
    });
  });
});
