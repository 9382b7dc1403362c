// parseCharmRef, packageRoot and CharmRepository: every reference form, every failure message.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CharmRepository,
  packageRoot,
  parseCharmRef,
  type ParsedCharmRef,
} from '../../../core/charm/repository.js';

const name = (n: string): ParsedCharmRef => ({ kind: 'name', name: n });
const path = (p: string): ParsedCharmRef => ({ kind: 'path', path: p });
const invalid = (reason: string): ParsedCharmRef => ({ kind: 'invalid', reason });

describe('parseCharmRef', () => {
  it.each<[string, ParsedCharmRef]>([
    ['etcd', name('etcd')],
    ['etcd-12', name('etcd')],
    ['kubernetes-master', name('kubernetes-master')],
    ['kubernetes-master-1078', name('kubernetes-master')],
    ['cs:etcd', name('etcd')],
    ['cs:~containers/easyrsa-420', name('easyrsa')],
    ['cs:xenial/etcd-12', name('etcd')],
    ['cs:~containers/focal/etcd', name('etcd')],
    ['~containers/etcd-3', name('etcd')],
    ['xenial/etcd', name('etcd')],
    ['ch:etcd', name('etcd')],
    ['ch:etcd-123', name('etcd')],
    ['ch:focal/etcd', name('etcd')],
    ['ch:amd64/focal/etcd-123', name('etcd')],
    ['local:xenial/etcd-1', name('etcd')],
    ['./charms/etcd', path('./charms/etcd')],
    ['../etcd', path('../etcd')],
    ['/opt/charms/etcd', path('/opt/charms/etcd')],
    ['.', path('.')],
    ['', invalid('must not be empty')],
    ['  ', invalid('must not be empty')],
    [
      'cs:~containers/Etcd Server',
      invalid('charm name "Etcd Server" must start with a lowercase letter'),
    ],
    [
      'cs:etcd_server',
      invalid('charm name "etcd_server" may hold only lowercase letters, digits and hyphens'),
    ],
    [
      'http:etcd',
      invalid('unknown scheme "http:"; use a charm name, cs:, ch:, or a path starting with ./'),
    ],
    ['ch:~containers/etcd', invalid('ch: URLs have no ~user part')],
    ['cs:~Containers/etcd', invalid('invalid user "~Containers"')],
    ['cs:a/b/etcd', invalid('has too many parts for a cs: URL')],
    ['ch:a/b/c/etcd', invalid('has too many parts for a ch: URL')],
    ['cs:Xenial/etcd', invalid('invalid series or arch "Xenial"')],
    ['cs://etcd', invalid('has an empty part')],
    ['ch:etcd/', invalid('has an empty part')],
  ])('%j', (ref, want) => {
    expect(parseCharmRef(ref)).toEqual(want);
  });
});

describe('packageRoot', () => {
  it('is the folder of the package.json named "rune"', () => {
    const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
      name: string;
    };
    expect(pkg.name).toBe('rune');
  });
});

describe('CharmRepository', () => {
  const repository = new CharmRepository();
  const root = packageRoot();

  it('resolves a cs: URL, a ch: URL, a name and a path to the same loaded charm', () => {
    const refs = ['cs:~containers/easyrsa-420', 'ch:easyrsa', 'easyrsa', './charms/easyrsa'];
    const charms = refs.map((ref) => repository.resolve(ref, root));
    for (const resolved of charms) {
      if (!('charm' in resolved)) throw new Error(resolved.error);
      expect(resolved.charm.meta.name).toBe('easyrsa');
      expect(resolved.charm.dir).toBe(join(root, 'charms', 'easyrsa'));
    }
    const loaded = charms.map((r) => ('charm' in r ? r.charm : undefined));
    expect(new Set(loaded).size).toBe(1);
  });

  it('resolves all four forms for etcd, the path relative to the repo root', () => {
    const refs = ['cs:~containers/etcd-420', 'ch:etcd', 'etcd', './charms/etcd'];
    const loaded = refs.map((ref) => repository.load(ref, root));
    expect(new Set(loaded).size).toBe(1);
    expect(loaded[0]?.meta.endpoints.map((e) => e.name)).toEqual(['db', 'certificates', 'cluster']);
  });

  it('resolves paths against the base folder given', () => {
    const resolved = repository.resolve('../etcd', join(root, 'charms', 'flannel'));
    expect('charm' in resolved && resolved.charm.meta.name).toBe('etcd');
  });

  it('names the charms it ships when a name is unknown', () => {
    expect(repository.resolve('cs:~containers/mysql-1', root)).toEqual({
      error:
        'unknown charm "mysql"; Rune ships easyrsa, etcd, flannel, kubernetes-master, kubernetes-worker',
    });
  });

  it('says when a path does not exist or is not a folder', () => {
    expect(repository.resolve('./x', root)).toEqual({ error: 'charm path "./x" does not exist' });
    expect(repository.resolve('./package.json', root)).toEqual({
      error: 'charm path "./package.json" is not a folder',
    });
  });

  it('says why a reference is invalid', () => {
    expect(repository.resolve('cs:~containers/Etcd Server', root)).toEqual({
      error:
        'invalid charm "cs:~containers/Etcd Server": charm name "Etcd Server" must start with a lowercase letter',
    });
  });

  it('reports a charm that does not load with its first problem and how many more', () => {
    const ref = './test/fixtures/charms/broken-everywhere';
    const want = {
      error:
        `charm "${ref}" does not load: test/fixtures/charms/broken-everywhere/actions.yaml:1:1 ` +
        'Backup: invalid action name "Backup": use lowercase letters and hyphens, starting and ' +
        'ending with a letter (and 2 more)',
    };
    expect(repository.resolve(ref, root)).toEqual(want);
    // Cached failures answer the same way.
    expect(repository.resolve(ref, root)).toEqual(want);
  });

  it('takes another charms folder, listing only folders with metadata.yaml', () => {
    const fixtures = new CharmRepository(join(root, 'test/fixtures/charms'));
    expect(fixtures.known()).toEqual(['broken-everywhere', 'juju-format', 'minimal']);
    const resolved = fixtures.resolve('minimal', root);
    expect('charm' in resolved && resolved.charm.meta.name).toBe('minimal');
  });
});
