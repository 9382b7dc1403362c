// What the dashboard's JSON says of a model: units aggregated per application with the most
// severe status as the colour, subordinates counted with their own application and placed by
// their principal, config secrets masked, and no private key in any message.
import { describe, expect, it } from 'vitest';
import {
  applicationView,
  configRows,
  graphView,
  unitView,
} from '../../../core/controller/dashboard-views.js';
import { KEY, MODEL } from './dashboard-model.js';

const noHistory = (entity: string) => ({ entity, kind: 'unit' as const, entries: [] });

describe('the dashboard graph', () => {
  const graph = graphView(MODEL, 7);
  const node = (name: string) => graph.applications.find((a) => a.name === name);

  it('has one node per application with its unit count and worst status', () => {
    expect(graph.generation).toBe(7);
    expect(graph.applications.map((a) => [a.name, a.units, a.worst, a.health, a.counts])).toEqual([
      ['easyrsa', 1, 'active', 'ok', { active: 1 }],
      ['etcd', 2, 'blocked', 'bad', { active: 1, blocked: 1 }],
      // The agent's error outranks the workload's last word.
      ['side', 1, 'error', 'bad', { error: 1 }],
    ]);
    expect(node('side')?.subordinateTo).toEqual(['etcd']);
  });

  it('has each relation with its endpoints, interface and kind', () => {
    expect(graph.relations).toContainEqual({
      id: 1,
      provider: { application: 'easyrsa', endpoint: 'client' },
      requirer: { application: 'etcd', endpoint: 'certificates' },
      interface: 'tls-certificates',
      type: 'regular',
    });
    expect(graph.relations.map((r) => r.type)).toEqual(['peer', 'regular', 'subordinate']);
  });

  it('stays one node per application on 10,000 units, in well under a second', () => {
    const units = Object.fromEntries(
      Array.from({ length: 10_000 }, (_, i) => [
        `big/${i}`,
        {
          'workload-status': { current: i % 100 === 0 ? 'waiting' : 'active', message: '' },
          'agent-status': { current: 'idle', message: '' },
          machine: String(i),
          'public-address': '10.1.0.1',
        },
      ]),
    );
    const big = {
      ...MODEL,
      applications: {
        big: { ...MODEL.applications!.easyrsa!, 'charm-name': 'big', units, scale: 10_000 },
      },
      relations: [],
    };
    const started = performance.now();
    const view = graphView(big, 1);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(view.applications).toHaveLength(1);
    expect(view.applications[0]).toMatchObject({
      units: 10_000,
      worst: 'waiting',
      health: 'busy',
      counts: { active: 9900, waiting: 100 },
    });
  });
});

describe("an application's and a unit's panels", () => {
  it('lists units (subordinates by their principal), machines and the leader', () => {
    const view = applicationView(MODEL, 'etcd', {}, noHistory('etcd'));
    expect(view?.units.map((u) => [u.name, u.machine, u.leader, u.health])).toEqual([
      ['etcd/0', '1', true, 'ok'],
      ['etcd/1', '2', false, 'bad'],
    ]);
    expect(view?.leader).toBe('etcd/0');
    expect(view?.machines.map((m) => m.id)).toEqual(['1', '2']);
    const side = applicationView(MODEL, 'side', {}, noHistory('side'));
    expect(side?.units).toEqual([
      expect.objectContaining({ name: 'side/0', principal: 'etcd/0', machine: '1' }),
    ]);
    expect(side?.machines.map((m) => m.id)).toEqual(['1']);
  });

  it('never carries a private key a charm put in a message', () => {
    const texts = [
      JSON.stringify(graphView(MODEL, 1)),
      JSON.stringify(applicationView(MODEL, 'side', {}, noHistory('side'))),
      JSON.stringify(unitView(MODEL, 'side/0', noHistory('side/0'))),
    ];
    for (const text of texts) expect(text).not.toContain('PRIVATE KEY');
    expect(KEY).toContain('PRIVATE KEY');
  });

  it('is undefined for an application or unit that is not there', () => {
    expect(applicationView(MODEL, 'nope', {}, noHistory('nope'))).toBeUndefined();
    expect(unitView(MODEL, 'etcd/9', noHistory('etcd/9'))).toBeUndefined();
  });
});

describe('config in the panel', () => {
  it('masks values that are secrets, shows the rest', () => {
    const rows = configRows({
      port: { value: 2379, source: 'default', type: 'int', description: '' },
      'admin-password': { value: 'hunter2', source: 'user', type: 'string', description: '' },
      auth_token: { value: 'abc', source: 'user', type: 'string', description: '' },
      'empty-password': { value: '', source: 'default', type: 'string', description: '' },
      notes: { value: `see ${KEY}`, source: 'user', type: 'string', description: '' },
      unset: { source: 'unset', type: 'string', description: '' },
    });
    expect(rows).toEqual([
      { name: 'port', value: '2379', masked: false, source: 'default' },
      { name: 'admin-password', value: '********', masked: true, source: 'user' },
      { name: 'auth_token', value: '********', masked: true, source: 'user' },
      { name: 'empty-password', value: '', masked: false, source: 'default' },
      // A value holding a key is a secret too, whatever the option's name.
      { name: 'notes', value: '********', masked: true, source: 'user' },
      { name: 'unset', masked: false, source: 'unset' },
    ]);
  });
});
