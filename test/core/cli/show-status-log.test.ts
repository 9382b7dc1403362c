// `rune show-status-log` from the CLI against a real in-process controller over FAKE machines
// (test/fakes/fake-controller.ts): Juju's columns, a unit's two streams merged, -n, --type,
// json, the model's and an application's empty logs, and bad input in one line with exit 1.
import { rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../../core/controller/api-server.js';
import type { Controller } from '../../../core/controller/controller.js';
import { fakeController } from '../../fakes/fake-controller.js';
import { runCli } from './run-cli.js';
import { applicationRecord } from '../../fakes/application-record.js';

const previousHome = process.env.RUNE_HOME;
let controller: Controller;
let server: Server;
let home: string;

const at = (second: number) => `2026-12-07T10:00:${String(second).padStart(2, '0')}.123Z`;

beforeAll(async () => {
  const made = fakeController({ prefix: 'rune-show-status-log-' });
  ({ controller, home } = made);
  const { store } = made;
  process.env.RUNE_HOME = home;
  server = await listen(controller, made.paths.socket);
  await controller.addMachines({ count: 1, constraints: '' });
  store.addApplication(applicationRecord('etcd'));
  store.addUnit({ name: 'etcd/0', machine: '0' });
  store.setUnitStatus('etcd/0', {
    agentStatus: { current: 'executing', message: 'running install hook', since: at(1) },
    workloadStatus: { current: 'maintenance', message: 'installing etcd', since: at(1) },
  });
  store.setUnitStatus('etcd/0', {
    agentStatus: { current: 'idle', message: '', since: at(2) },
    workloadStatus: { current: 'active', message: 'Healthy with 1 known peer', since: at(2) },
  });
});

afterAll(async () => {
  server.close();
  server.closeAllConnections();
  await controller.shutdown(false);
  rmSync(home, { recursive: true, force: true });
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

describe('rune show-status-log', () => {
  it("prints a unit's workload and agent transitions merged, oldest first, in Juju's columns", async () => {
    const r = await runCli('show-status-log', 'etcd/0');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^Time +Type +Status +Message$/);
    // Times to the second; the first two entries are the unit's birth (now).
    // Within one write, the workload's entry first (the order the store recorded them).
    expect(r.out.slice(3)).toEqual([
      '2026-12-07T10:00:01Z  workload   maintenance  installing etcd',
      '2026-12-07T10:00:01Z  juju-unit  executing    running install hook',
      '2026-12-07T10:00:02Z  workload   active       Healthy with 1 known peer',
      '2026-12-07T10:00:02Z  juju-unit  idle',
    ]);
    expect(r.out[1]).toMatch(/ {2}workload {3}waiting {6}waiting for machine$/);
    expect(r.out[2]).toMatch(/ {2}juju-unit {2}allocating$/);
  });

  it('narrows with -n and --type, and gives json', async () => {
    const newest = await runCli('show-status-log', 'etcd/0', '-n', '1');
    expect(newest.out.slice(1)).toEqual(['2026-12-07T10:00:02Z  juju-unit  idle']);
    const workload = await runCli('show-status-log', '--type', 'workload', 'etcd/0', '-n', '2');
    expect(workload.out.slice(1).map((l) => l.split(/ {2,}/)[2])).toEqual([
      'maintenance',
      'active',
    ]);
    const json = await runCli('show-status-log', 'etcd/0', '-n', '2', '--format', 'json');
    expect(JSON.parse(json.out.join('\n'))).toEqual([
      { since: at(2), type: 'workload', status: 'active', message: 'Healthy with 1 known peer' },
      { since: at(2), type: 'juju-unit', status: 'idle', message: '' },
    ]);
  });

  it("shows a machine's log, and says when the model's or an application's is empty", async () => {
    const machine = await runCli('show-status-log', '0');
    expect(machine.out.slice(1)).toHaveLength(1);
    expect(machine.out[1]).toMatch(/^\S+Z {2}machine {2}started$/);
    expect((await runCli('show-status-log', 'model')).out).toEqual([
      'No status history for model.',
    ]);
    const app = await runCli('show-status-log', 'etcd');
    expect(app.code).toBe(0);
    expect(app.out).toEqual([
      'No status history for etcd: its leader has set no application status (rune status ' +
        "derives one from its units; rune show-status-log etcd/N shows a unit's).",
    ]);
  });

  it.each([
    [
      ['etcd/5'],
      'rune: cannot show the status log of etcd/5: no such unit; rune status lists the units',
    ],
    [
      ['7'],
      'rune: cannot show the status log of 7: no such machine; rune status lists the machines',
    ],
    [
      ['etcd/0', '--type', 'machine'],
      'rune: cannot show the status log of etcd/0: --type machine needs a machine id',
    ],
    [['etcd/0', '-n', '0'], 'rune: -n must be a whole number from 1, got "0"'],
    [['etcd/0', '-n', 'ten'], 'rune: -n must be a whole number from 1, got "ten"'],
    [['etcd/0', '--format', 'yaml'], 'rune: --format must be tabular or json, got "yaml"'],
    [
      ['etcd/0', '--type', 'agent'],
      'rune: --type must be one of unit, workload, juju-unit, machine, application, model, got "agent"',
    ],
    [
      ['Etcd!'],
      /^rune: invalid request for GET \/v1\/status-log: entity: must be a unit like etcd\/0/,
    ],
  ])('refuses %j in one line with exit 1', async (args, message) => {
    const r = await runCli('show-status-log', ...args);
    expect(r).toMatchObject({ code: 1, out: [] });
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(message);
  });

  it('has help in the command table', async () => {
    const r = await runCli('help', 'show-status-log');
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe(
      'usage: rune show-status-log ENTITY [-n N] [--type TYPE] [--format tabular|json]',
    );
    expect(r.out.join('\n')).toContain('status-history-size');
    expect((await runCli('show-status-log')).code).toBe(2);
  });
});
