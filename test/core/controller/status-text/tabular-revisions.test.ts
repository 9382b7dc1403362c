// The Unit section's Rev column (DESIGN §11, issue 14): shown only while it says something — a
// rollout on some application, or a unit on another charm revision than its application — and
// then with the revision each unit is on.
import { describe, expect, it } from 'vitest';
import type {
  ApplicationStatusView,
  StatusResponse,
  UnitStatusView,
} from '../../../../core/controller/api.js';
import { formatTabular } from '../../../../core/controller/status-text/tabular.js';

const idle = { current: 'idle', message: '' };
const active = { current: 'active', message: 'ok' };

function unit(machine: string, rev: number, extra: Partial<UnitStatusView> = {}): UnitStatusView {
  return {
    'workload-status': active,
    'agent-status': idle,
    machine,
    'public-address': `10.0.0.${machine}`,
    'charm-rev': rev,
    ...extra,
  };
}

function app(rev: number, units: Record<string, UnitStatusView>, rollout?: string) {
  const view: ApplicationStatusView = {
    charm: 'c',
    'charm-name': 'c',
    'charm-rev': rev,
    exposed: false,
    'application-status': active,
    relations: {},
    units,
    scale: Object.keys(units).length,
    ...(rollout === undefined ? {} : { rollout }),
  };
  return view;
}

const status = (applications: Record<string, ApplicationStatusView>): StatusResponse => ({
  model: { name: 'default', controller: 'c', cloud: 'local', version: '0' },
  machines: {},
  applications,
});

/** The Unit section's lines. */
const units = (s: StatusResponse) =>
  formatTabular(s)
    .split('\n\n')
    .find((section) => section.startsWith('Unit'))
    ?.split('\n');

describe('the Unit section while a rollout runs', () => {
  it('shows no Rev column when every unit is on its application revision', () => {
    const s = status({ etcd: app(2, { 'etcd/0': unit('1', 2), 'etcd/1': unit('2', 2) }) });
    expect(units(s)?.[0]).toBe('Unit    Workload  Agent  Machine  Address   Ports  Message');
  });

  it('shows each unit its revision while a rollout runs', () => {
    const s = status({
      etcd: app(
        2,
        { 'etcd/0': unit('1', 2), 'etcd/1': unit('2', 1, { leader: true }) },
        'rollout 3 (refresh to charm revision 2) 1/2 running',
      ),
      easyrsa: app(1, { 'easyrsa/0': unit('3', 1) }),
    });
    expect(units(s)).toEqual([
      'Unit       Workload  Agent  Rev  Machine  Address   Ports  Message',
      'easyrsa/0  active    idle     1  3        10.0.0.3         ok',
      'etcd/0     active    idle     2  1        10.0.0.1         ok',
      'etcd/1*    active    idle     1  2        10.0.0.2         ok',
    ]);
  });

  it('shows it whenever a unit is on another revision than its application', () => {
    const s = status({ etcd: app(2, { 'etcd/0': unit('1', 1) }) });
    expect(units(s)?.[0]).toMatch(/^Unit\s+Workload\s+Agent\s+Rev\s+Machine/);
  });
});
