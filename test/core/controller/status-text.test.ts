// `rune status` formatting: golden tabular sections as Juju 3 prints them, --relations, filters,
// an empty model, natural unit order, and YAML/JSON that round-trip with Juju's key order.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type {
  ApplicationStatusView,
  MachineStatusView,
  RelationStatusView,
  StatusResponse,
  StatusValue,
  UnitStatusView,
} from '../../../core/controller/api.js';
import { filterStatus, formatStatus, table } from '../../../core/controller/status-text.js';

// A Charmed-Kubernetes-like model: easyrsa, etcd (a leader, one unit executing, one in error),
// kubernetes-worker with a flannel subordinate, and peer, regular and subordinate integrations.
// Maps arrive out of order so the tests prove the formatter sorts.
const since = '2024-05-01T10:00:00Z';
const value = (current: string, message = ''): StatusValue => ({ current, message, since });
const address = (machineId: string) => `10.0.0.${Number(machineId) + 10}`;

function machine(id: string): MachineStatusView {
  return {
    'machine-status': value('started'),
    'agent-status': value('idle'),
    'dns-name': address(id),
    'instance-id': `rune-${id}`,
    base: 'ubuntu@22.04',
    hardware: 'arch=amd64 cores=2 mem=4096M',
  };
}

/** A principal unit on machine `on`, at that machine's address. */
function unit(on: string, workload: StatusValue, extra: Partial<UnitStatusView> = {}) {
  const view: UnitStatusView = {
    'workload-status': workload,
    'agent-status': value('idle'),
    machine: on,
    'public-address': address(on),
  };
  return { ...view, ...extra };
}

/** A subordinate unit: no machine of its own, its principal's address. */
function sub(on: string, workload: StatusValue, extra: Partial<UnitStatusView> = {}) {
  const view: UnitStatusView = {
    'workload-status': workload,
    'agent-status': value('idle'),
    'public-address': address(on),
  };
  return { ...view, ...extra };
}

function app(
  name: string,
  status: StatusValue,
  scale: number,
  relations: Record<string, string[]>,
  units?: Record<string, UnitStatusView>,
): ApplicationStatusView {
  const view: ApplicationStatusView = {
    charm: `ch:${name}`,
    'charm-name': name,
    'charm-rev': 1,
    exposed: false,
    'application-status': status,
    relations,
    scale,
  };
  return units ? { ...view, units } : view;
}

const healthy = value('active', 'Healthy with 3 known peers');
const worker = value('active', 'Kubernetes worker running.');
const ca = value('active', 'Certificate Authority connected.');
const failed = value('error', 'hook failed: "install"');
const subnet = (n: number) => value('active', `Flannel subnet 10.1.${n}.1/24`);
const relation = (
  id: number,
  provider: string,
  requirer: string,
  iface: string,
  type: RelationStatusView['type'],
): RelationStatusView => ({ id, provider, requirer, interface: iface, type });

function ckStatus(): StatusResponse {
  return {
    model: { name: 'default', controller: 'local', cloud: 'local', version: '0.1.0' },
    machines: Object.fromEntries(['5', '0', '3', '1', '2', '4'].map((id) => [id, machine(id)])),
    applications: {
      'kubernetes-worker': app(
        'kubernetes-worker',
        worker,
        2,
        { certificates: ['easyrsa'], cni: ['flannel'] },
        {
          'kubernetes-worker/1': unit('5', worker, {
            subordinates: { 'flannel/1': sub('5', subnet(58)) },
          }),
          'kubernetes-worker/0': unit('4', worker, {
            leader: true,
            subordinates: { 'flannel/0': sub('4', subnet(57), { leader: true }) },
          }),
        },
      ),
      flannel: {
        ...app('flannel', subnet(57), 2, { cni: ['kubernetes-worker'], etcd: ['etcd'] }),
        'subordinate-to': ['kubernetes-worker'],
      },
      etcd: app(
        'etcd',
        failed,
        3,
        { certificates: ['easyrsa'], cluster: ['etcd'], db: ['flannel'] },
        {
          'etcd/2': unit('3', failed),
          'etcd/1': unit('2', healthy, {
            'agent-status': value('executing', 'running update-status hook'),
          }),
          'etcd/0': unit('1', healthy, { leader: true }),
        },
      ),
      easyrsa: app(
        'easyrsa',
        ca,
        1,
        { client: ['etcd', 'kubernetes-worker'] },
        {
          'easyrsa/0': unit('0', ca, { leader: true }),
        },
      ),
    },
    relations: [
      relation(4, 'kubernetes-worker:cni', 'flannel:cni', 'kubernetes-cni', 'subordinate'),
      relation(3, 'etcd:db', 'flannel:etcd', 'etcd', 'regular'),
      relation(1, 'etcd:cluster', 'etcd:cluster', 'etcd', 'peer'),
      relation(
        2,
        'easyrsa:client',
        'kubernetes-worker:certificates',
        'tls-certificates',
        'regular',
      ),
      relation(0, 'easyrsa:client', 'etcd:certificates', 'tls-certificates', 'regular'),
    ],
  };
}

const MODEL = [
  'Model    Controller  Cloud/Region  Version',
  'default  local       local         0.1.0',
];

const APPS = [
  'App                Version  Status  Scale  Charm              Rev  Message',
  'easyrsa                     active      1  easyrsa              1  Certificate Authority connected.',
  'etcd                        error       3  etcd                 1  hook failed: "install"',
  'flannel                     active      2  flannel              1  Flannel subnet 10.1.57.1/24',
  'kubernetes-worker           active      2  kubernetes-worker    1  Kubernetes worker running.',
];

const UNITS = [
  'Unit                  Workload  Agent      Machine  Address    Ports  Message',
  'easyrsa/0*            active    idle       0        10.0.0.10         Certificate Authority connected.',
  'etcd/0*               active    idle       1        10.0.0.11         Healthy with 3 known peers',
  'etcd/1                active    executing  2        10.0.0.12         (update-status) Healthy with 3 known peers',
  'etcd/2                error     idle       3        10.0.0.13         hook failed: "install"',
  'kubernetes-worker/0*  active    idle       4        10.0.0.14         Kubernetes worker running.',
  '  flannel/0*          active    idle                10.0.0.14         Flannel subnet 10.1.57.1/24',
  'kubernetes-worker/1   active    idle       5        10.0.0.15         Kubernetes worker running.',
  '  flannel/1           active    idle                10.0.0.15         Flannel subnet 10.1.58.1/24',
];

const MACHINES = [
  'Machine  State    Address    Inst-id  Base          Message',
  '0        started  10.0.0.10  rune-0   ubuntu@22.04',
  '1        started  10.0.0.11  rune-1   ubuntu@22.04',
  '2        started  10.0.0.12  rune-2   ubuntu@22.04',
  '3        started  10.0.0.13  rune-3   ubuntu@22.04',
  '4        started  10.0.0.14  rune-4   ubuntu@22.04',
  '5        started  10.0.0.15  rune-5   ubuntu@22.04',
];

const INTEGRATIONS = [
  'Integration provider   Requirer                        Interface         Type',
  'easyrsa:client         etcd:certificates               tls-certificates  regular',
  'easyrsa:client         kubernetes-worker:certificates  tls-certificates  regular',
  'etcd:cluster           etcd:cluster                    etcd              peer',
  'etcd:db                flannel:etcd                    etcd              regular',
  'kubernetes-worker:cni  flannel:cni                     kubernetes-cni    subordinate',
];

const golden = (...sections: string[][]) => sections.map((s) => s.join('\n')).join('\n\n');

/** The same data with every map's keys and every list reversed: the output must not change. */
function reversed<T>(value: T): T {
  if (Array.isArray(value)) return [...(value as unknown[])].reverse().map(reversed) as T;
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).reverse();
  return Object.fromEntries(entries.map(([k, v]) => [k, reversed(v)])) as T;
}

/** YAML and JSON list integrations as the tabular section does: by provider, then requirer. */
function sortedRelations(status: StatusResponse): StatusResponse {
  const key = (r: { provider: string; requirer: string }) => `${r.provider} ${r.requirer}`;
  const relations = [...(status.relations ?? [])].sort((a, b) => (key(a) < key(b) ? -1 : 1));
  return { ...status, relations };
}

describe('formatStatus tabular', () => {
  it('prints Model, App, Unit and Machine sections as Juju does', () => {
    expect(formatStatus(ckStatus(), 'tabular')).toBe(golden(MODEL, APPS, UNITS, MACHINES));
  });

  it('adds the Integration section with --relations, by provider then requirer', () => {
    expect(formatStatus(ckStatus(), 'tabular', { relations: true })).toBe(
      golden(MODEL, APPS, UNITS, MACHINES, INTEGRATIONS),
    );
  });

  it('is the same whatever order the response arrives in', () => {
    const options = { relations: true };
    expect(formatStatus(reversed(ckStatus()), 'tabular', options)).toBe(
      formatStatus(ckStatus(), 'tabular', options),
    );
  });

  it('trims trailing blanks from every line', () => {
    const lines = formatStatus(ckStatus(), 'tabular', { relations: true }).split('\n');
    expect(lines.filter((l) => l !== l.trimEnd())).toEqual([]);
  });

  it('says an empty model is empty, after the Model section', () => {
    const empty: StatusResponse = { ...ckStatus(), machines: {}, applications: {}, relations: [] };
    expect(formatStatus(empty, 'tabular', { relations: true })).toBe(
      golden(MODEL, ['Model "default" is empty.']),
    );
    const bare: StatusResponse = { model: empty.model, machines: {} };
    expect(formatStatus(bare, 'tabular')).toBe(golden(MODEL, ['Model "default" is empty.']));
  });

  it('sorts units by application, then by numeric index', () => {
    const status: StatusResponse = {
      ...ckStatus(),
      machines: {},
      relations: [],
      applications: {
        'etcd-backup': app('etcd-backup', healthy, 1, {}, { 'etcd-backup/0': unit('7', healthy) }),
        etcd: app(
          'etcd',
          healthy,
          3,
          {},
          {
            'etcd/10': unit('6', healthy),
            'etcd/2': unit('2', healthy),
            'etcd/1': unit('1', healthy, { leader: true }),
          },
        ),
      },
    };
    const names = formatStatus(status, 'tabular')
      .split('\n')
      .filter((l) => /^etcd/.test(l) && l.includes('/'))
      .map((l) => l.split(' ')[0]);
    expect(names).toEqual(['etcd/1*', 'etcd/2', 'etcd/10', 'etcd-backup/0']);
  });

  it('sorts machines numerically', () => {
    const status: StatusResponse = {
      ...ckStatus(),
      applications: {},
      machines: { '10': machine('10'), '9': machine('9'), '2': machine('2') },
    };
    const ids = formatStatus(status, 'tabular').split('\n').slice(-3);
    expect(ids.map((l) => l.split(' ')[0])).toEqual(['2', '9', '10']);
  });

  it('right-aligns Scale and keeps the table helper for other verbs', () => {
    expect(
      table(
        [
          ['App', 'Scale'],
          ['a', '12'],
        ],
        { alignRight: [1] },
      ),
    ).toEqual(['App  Scale', 'a       12']);
    expect(
      table([
        ['Controller', 'Id'],
        ['c', '1'],
      ]),
    ).toEqual(['Controller  Id', 'c           1']);
  });
});

describe('formatStatus with a filter', () => {
  it('shows one application, its units, their machines and its integrations', () => {
    expect(formatStatus(ckStatus(), 'tabular', { relations: true, patterns: ['etcd'] })).toBe(
      golden(
        MODEL,
        [
          'App   Version  Status  Scale  Charm  Rev  Message',
          'etcd           error       3  etcd     1  hook failed: "install"',
        ],
        [
          'Unit     Workload  Agent      Machine  Address    Ports  Message',
          'etcd/0*  active    idle       1        10.0.0.11         Healthy with 3 known peers',
          'etcd/1   active    executing  2        10.0.0.12         (update-status) Healthy with 3 known peers',
          'etcd/2   error     idle       3        10.0.0.13         hook failed: "install"',
        ],
        [MACHINES[0] ?? '', ...MACHINES.slice(2, 5)],
        [
          'Integration provider  Requirer           Interface         Type',
          'easyrsa:client        etcd:certificates  tls-certificates  regular',
          'etcd:cluster          etcd:cluster       etcd              peer',
          'etcd:db               flannel:etcd       etcd              regular',
        ],
      ),
    );
  });

  it('shows one unit and its machine', () => {
    expect(formatStatus(ckStatus(), 'tabular', { patterns: ['etcd/0'] })).toBe(
      golden(
        MODEL,
        [
          'App   Version  Status  Scale  Charm  Rev  Message',
          'etcd           error       3  etcd     1  hook failed: "install"',
        ],
        [
          'Unit     Workload  Agent  Machine  Address    Ports  Message',
          'etcd/0*  active    idle   1        10.0.0.11         Healthy with 3 known peers',
        ],
        [MACHINES[0] ?? '', MACHINES[2] ?? ''],
      ),
    );
  });

  it('shows a subordinate unit under its principal, which alone is kept with it', () => {
    expect(formatStatus(ckStatus(), 'tabular', { patterns: ['flannel/1'] })).toBe(
      golden(
        MODEL,
        [APPS[0] ?? '', APPS[3] ?? '', APPS[4] ?? ''],
        [
          'Unit                 Workload  Agent  Machine  Address    Ports  Message',
          'kubernetes-worker/1  active    idle   5        10.0.0.15         Kubernetes worker running.',
          '  flannel/1          active    idle            10.0.0.15         Flannel subnet 10.1.58.1/24',
        ],
        [MACHINES[0] ?? '', MACHINES[6] ?? ''],
      ),
    );
  });

  it('keeps a principal unit with all its subordinates, and their application', () => {
    const shown = filterStatus(ckStatus(), ['kubernetes-worker/0']);
    expect(Object.keys(shown.applications ?? {}).sort()).toEqual(['flannel', 'kubernetes-worker']);
    expect(Object.keys(shown.applications?.['kubernetes-worker']?.units ?? {})).toEqual([
      'kubernetes-worker/0',
    ]);
    expect(Object.keys(shown.machines)).toEqual(['4']);
  });

  it('shows what is on a machine, and unions several patterns', () => {
    const shown = filterStatus(ckStatus(), ['0', 'etcd/2']);
    expect(Object.keys(shown.applications ?? {}).sort()).toEqual(['easyrsa', 'etcd']);
    expect(Object.keys(shown.machines).sort()).toEqual(['0', '3']);
  });

  it('says when nothing matched', () => {
    expect(formatStatus(ckStatus(), 'tabular', { patterns: ['etdc'] })).toBe(
      golden(MODEL, ['Nothing matched specified filter.']),
    );
    expect(formatStatus(ckStatus(), 'tabular', { patterns: ['etdc', '9'] })).toBe(
      golden(MODEL, ['Nothing matched specified filters.']),
    );
  });

  it('leaves the response alone without patterns', () => {
    const status = ckStatus();
    expect(filterStatus(status, [])).toBe(status);
  });
});

describe('formatStatus yaml and json', () => {
  it('round-trips the response through JSON with Juju key order', () => {
    const text = formatStatus(reversed(ckStatus()), 'json');
    const back = JSON.parse(text) as StatusResponse;
    expect(back).toEqual(sortedRelations(ckStatus()));
    expect(Object.keys(back)).toEqual(['model', 'machines', 'applications', 'relations']);
    expect(Object.keys(back.machines)).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(Object.keys(back.applications ?? {})).toEqual([
      'easyrsa',
      'etcd',
      'flannel',
      'kubernetes-worker',
    ]);
    const etcd = back.applications?.etcd;
    expect(Object.keys(etcd ?? {})).toEqual([
      'charm',
      'charm-name',
      'charm-rev',
      'scale',
      'exposed',
      'application-status',
      'relations',
      'units',
    ]);
    expect(Object.keys(etcd?.units ?? {})).toEqual(['etcd/0', 'etcd/1', 'etcd/2']);
    expect(Object.keys(back.applications?.flannel ?? {})).toContain('subordinate-to');
  });

  it('round-trips the response through YAML, byte-stable whatever the input order', () => {
    const text = formatStatus(ckStatus(), 'yaml');
    expect(parse(text)).toEqual(sortedRelations(ckStatus()));
    expect(formatStatus(reversed(ckStatus()), 'yaml')).toBe(text);
    expect(text.split('\n').slice(0, 2)).toEqual(['model:', '  name: default']);
    expect(text).toContain('message: \'hook failed: "install"\'');
  });

  it('prints the filtered response', () => {
    const shown = sortedRelations(filterStatus(ckStatus(), ['etcd/0']));
    expect(parse(formatStatus(ckStatus(), 'yaml', { patterns: ['etcd/0'] }))).toEqual(shown);
    expect(JSON.parse(formatStatus(ckStatus(), 'json', { patterns: ['etcd/0'] }))).toEqual(shown);
    expect(Object.keys(shown.applications?.etcd?.units ?? {})).toEqual(['etcd/0']);
  });
});
