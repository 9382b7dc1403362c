// parseMetadata: Juju's metadata.yaml rules, each with its exact message and line:col.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMetadata } from '../../../core/charm/metadata.js';
import { lines, yaml } from './helpers.js';

const FILE = 'metadata.yaml';
const problems = (text: string) => lines(parseMetadata(FILE, text).diagnostics, FILE);
const RULE =
  'use lowercase letters and digits in words joined by "-" or "_", starting with a letter';

describe('parseMetadata: valid files', () => {
  it('reads both endpoint forms, in file order, with Juju defaults', () => {
    const { meta, diagnostics } = parseMetadata(
      FILE,
      yaml(
        'name: web',
        'summary: A web app.',
        'description: Serves pages.',
        'requires:',
        '  db:',
        '    interface: mysql',
        '    limit: 1',
        '    optional: true',
        '  cache: memcache',
        'provides:',
        '  site: http',
        'peers:',
        '  ring:',
        '    interface: web-ring',
        '    scope: container',
      ),
    );
    expect(diagnostics).toEqual([]);
    expect(meta).toEqual({
      name: 'web',
      summary: 'A web app.',
      description: 'Serves pages.',
      subordinate: false,
      endpoints: [
        {
          name: 'db',
          role: 'requirer',
          interface: 'mysql',
          scope: 'global',
          limit: 1,
          optional: true,
        },
        {
          name: 'cache',
          role: 'requirer',
          interface: 'memcache',
          scope: 'global',
          optional: false,
        },
        { name: 'site', role: 'provider', interface: 'http', scope: 'global', optional: false },
        { name: 'ring', role: 'peer', interface: 'web-ring', scope: 'container', optional: false },
      ],
      resources: {},
    });
  });

  it('defaults summary and description to empty and accepts empty sections', () => {
    const { meta, diagnostics } = parseMetadata(FILE, yaml('name: bare', 'provides:', 'peers: {}'));
    expect(diagnostics).toEqual([]);
    expect(meta).toEqual({
      name: 'bare',
      summary: '',
      description: '',
      subordinate: false,
      endpoints: [],
      resources: {},
    });
  });

  it('reads file resources, and refuses a type Rune does not know', () => {
    const text = yaml(
      'name: etcd',
      'resources:',
      '  etcd:',
      '    type: file',
      '    filename: etcd.tar.gz',
      '    description: the release archive',
    );
    expect(parseMetadata(FILE, text).meta?.resources).toEqual({
      etcd: { name: 'etcd', filename: 'etcd.tar.gz', description: 'the release archive' },
    });
    const bad = yaml(
      'name: etcd',
      'resources:',
      '  img:',
      '    type: oci-image',
      '    filename: x',
    );
    expect(problems(bad).join('\n')).toMatch(/resources\.img\.type.*file/);
  });

  it("holds resource names to Juju's name rule and takes constructor as a plain name", () => {
    const resources = (...names: string[]) =>
      yaml(
        'name: etcd',
        'resources:',
        ...names.flatMap((n) => [`  ${n}:`, '    type: file', '    filename: f']),
      );
    expect(problems(resources('Core', 'etcd_bin', 'v-3'))).toEqual([
      '3:3 resources.Core: invalid resource name "Core": must start with a lowercase letter',
      '6:3 resources.etcd_bin: invalid resource name "etcd_bin": may hold only lowercase letters, digits and hyphens',
      '9:3 resources.v-3: invalid resource name "v-3": must not have a hyphen followed only by digits',
    ]);
    const meta = parseMetadata(FILE, resources('constructor')).meta;
    expect(Object.keys(meta?.resources ?? {})).toEqual(['constructor']);
  });

  it('does not take an unknown top-level key named constructor for a section', () => {
    const meta = parseMetadata(FILE, yaml('name: web', 'constructor:', '  db: mysql')).meta;
    expect(meta?.endpoints).toEqual([]);
  });

  it('loads a realistic Juju metadata.yaml with keys Rune does not use', () => {
    const file = 'test/fixtures/charms/juju-format/metadata.yaml';
    const { meta, diagnostics } = parseMetadata(file, readFileSync(file, 'utf8'));
    expect(diagnostics).toEqual([]);
    expect(meta?.name).toBe('observer');
    expect(meta?.endpoints.map((e) => `${e.role} ${e.name}: ${e.interface} ${e.scope}`)).toEqual([
      'provider metrics: prometheus global',
      'provider website: http global',
      'requirer host: juju-info container',
      'requirer db: pgsql global',
      'peer replicas: observer-peers global',
    ]);
  });

  it('lets a subordinate attach through a container-scoped juju-info requirer', () => {
    const text = yaml(
      'name: agent',
      'subordinate: true',
      'requires:',
      '  juju-info:',
      '    interface: juju-info',
      '    scope: container',
    );
    expect(problems(text)).toEqual([]);
    expect(parseMetadata(FILE, text).meta?.subordinate).toBe(true);
  });

  it('lets charms named juju-* use the reserved names, as newer Juju does', () => {
    expect(problems(yaml('name: juju-agent', 'provides:', '  juju-info: juju-info'))).toEqual([]);
  });

  it('lets requires endpoints use juju-* interfaces', () => {
    expect(problems(yaml('name: a', 'requires:', '  info: juju-info'))).toEqual([]);
  });
});

describe('parseMetadata: name', () => {
  it('requires a name', () => {
    expect(problems(yaml('summary: nameless'))).toEqual(['1:1 missing required field "name"']);
  });

  it('treats an empty file as one without a name', () => {
    expect(problems('')).toEqual(['1:1 missing required field "name"']);
    expect(parseMetadata(FILE, '').meta).toBeUndefined();
  });

  it('rejects an invalid charm name', () => {
    expect(problems(yaml('name: Etcd'))).toEqual([
      '1:7 name: invalid charm name "Etcd": must start with a lowercase letter',
    ]);
    expect(problems(yaml('name: etcd-3'))).toEqual([
      '1:7 name: invalid charm name "etcd-3": must not have a hyphen followed only by digits',
    ]);
  });

  it('rejects a name that is not a string', () => {
    expect(problems(yaml('name: 5'))).toEqual(['1:7 name: must be a charm name, got 5']);
  });
});

describe('parseMetadata: endpoints', () => {
  it('rejects invalid relation names', () => {
    expect(problems(yaml('name: a', 'provides:', '  DB: mysql'))).toEqual([
      `3:3 provides.DB: invalid relation name "DB": ${RULE}`,
    ]);
  });

  it('rejects invalid interface names in both forms', () => {
    expect(
      problems(yaml('name: a', 'provides:', '  db: My SQL', '  web:', '    interface: Http')),
    ).toEqual([
      `3:7 provides.db: invalid interface name "My SQL": ${RULE}`,
      `5:16 provides.web.interface: invalid interface name "Http": ${RULE}`,
    ]);
  });

  it('rejects a relation name used twice, naming where it was first used', () => {
    const text = yaml(
      'name: a',
      'provides:',
      '  db: mysql',
      'requires:',
      '  db:',
      '    interface: mysql',
      'peers:',
      '  db: mysql',
    );
    expect(problems(text)).toEqual([
      '5:3 requires.db: relation name "db" is already used in provides',
      '8:3 peers.db: relation name "db" is already used in provides',
    ]);
  });

  it('rejects reserved relation names in every section', () => {
    const text = yaml(
      'name: a',
      'provides:',
      '  juju: x',
      'requires:',
      '  juju-info: juju-info',
      'peers:',
      '  juju-peer: y',
    );
    const reserved = (name: string) =>
      `relation name "${name}" is reserved: "juju" and names starting "juju-" belong to Juju`;
    expect(problems(text)).toEqual([
      `3:3 provides.juju: ${reserved('juju')}`,
      `5:3 requires.juju-info: ${reserved('juju-info')}`,
      `7:3 peers.juju-peer: ${reserved('juju-peer')}`,
    ]);
  });

  it('keeps juju-* names reserved for a principal even with container scope', () => {
    const text = yaml(
      'name: a',
      'requires:',
      '  juju-info:',
      '    interface: juju-info',
      '    scope: container',
    );
    expect(problems(text)).toEqual([
      '3:3 requires.juju-info: relation name "juju-info" is reserved: "juju" and names starting "juju-" belong to Juju',
    ]);
  });

  it('rejects reserved interfaces on provides and peers', () => {
    const text = yaml(
      'name: a',
      'provides:',
      '  info: juju-info',
      'peers:',
      '  p:',
      '    interface: juju',
    );
    const reserved = (name: string) =>
      `interface "${name}" is reserved: only requires endpoints may use "juju" or "juju-*" interfaces`;
    expect(problems(text)).toEqual([
      `3:9 provides.info: ${reserved('juju-info')}`,
      `6:16 peers.p.interface: ${reserved('juju')}`,
    ]);
  });

  it('rejects a scope other than global or container', () => {
    const text = yaml(
      'name: a',
      'provides:',
      '  db:',
      '    interface: mysql',
      '    scope: machine',
    );
    expect(problems(text)).toEqual([
      '5:12 provides.db.scope: must be global or container, got "machine"',
    ]);
  });

  it('rejects a limit that is not a positive integer', () => {
    const text = yaml(
      'name: a',
      'requires:',
      '  a:',
      '    interface: x',
      '    limit: 0',
      '  b:',
      '    interface: x',
      '    limit: 1.5',
      '  c:',
      '    interface: x',
      '    limit: two',
    );
    expect(problems(text)).toEqual([
      '5:12 requires.a.limit: must be a positive integer, got 0',
      '8:12 requires.b.limit: must be a positive integer, got 1.5',
      '11:12 requires.c.limit: must be a positive integer, got "two"',
    ]);
  });

  it('requires interface in the map form', () => {
    expect(problems(yaml('name: a', 'requires:', '  db:', '    scope: global'))).toEqual([
      '3:3 requires.db: missing required field "interface"',
    ]);
  });
});

describe('parseMetadata: subordinates', () => {
  it('needs a container-scoped requires endpoint', () => {
    const text = yaml(
      'name: agent',
      'subordinate: true',
      'provides:',
      '  cni:',
      '    interface: kubernetes-cni',
      '    scope: container',
      'requires:',
      '  etcd: etcd',
    );
    expect(problems(text)).toEqual([
      '2:1 subordinate: a subordinate charm needs a requires endpoint with scope: container',
    ]);
  });

  it('does not add that error when the scope itself is misspelt', () => {
    const text = yaml(
      'name: agent',
      'subordinate: true',
      'requires:',
      '  host:',
      '    interface: x',
      '    scope: containr',
    );
    expect(problems(text)).toEqual([
      '6:12 requires.host.scope: must be global or container, got "containr"',
    ]);
  });
});

describe('parseMetadata: field types', () => {
  it('reports every wrong type, located', () => {
    const text = yaml(
      'name: a',
      'summary: 5',
      'description: [x]',
      'subordinate: yes',
      'provides: [db]',
      'requires:',
      '  db:',
      '  web:',
      '    interface: 7',
      '    optional: no',
    );
    expect(problems(text)).toEqual([
      '2:10 summary: must be a one-line summary, got 5',
      '3:14 description: must be a description, got a list',
      '4:14 subordinate: must be true or false, got "yes"',
      '5:11 provides: must be a map of endpoints, got a list',
      '7:3 requires.db: must be an interface name or a map with interface, scope, limit and optional, got null',
      '9:16 requires.web.interface: must be an interface name, got 7',
      '10:15 requires.web.optional: must be true or false, got "no"',
    ]);
  });

  it('rejects a file that is not a map', () => {
    expect(problems(yaml('- name: a'))).toEqual([
      '1:1 must be a map of metadata fields, got a list',
    ]);
  });

  it('passes YAML errors through and stops there', () => {
    expect(problems(yaml('name: a', 'name: b'))).toEqual([
      '2:1 name: duplicate key "name" (first at line 1)',
    ]);
  });

  it('takes one YAML document only', () => {
    expect(problems(yaml('name: a', '---', 'name: b'))).toEqual([
      '3:1 a charm file holds one YAML document; remove this one',
    ]);
  });
});
