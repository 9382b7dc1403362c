// A certificate about to expire in the Unit section's Message (issue 17 item 3): said after what
// the charm says, alone when the charm says nothing, and after what the agent is doing.
import { describe, expect, it } from 'vitest';
import type { StatusResponse, UnitStatusView } from '../../../../core/controller/api.js';
import { formatTabular } from '../../../../core/controller/status-text/tabular.js';

const WARNING = 'certificate expires in 9 days (2026-12-16T18:00:00Z)';

function unit(message: string, agent = 'idle', agentMessage = ''): UnitStatusView {
  return {
    'workload-status': { current: 'active', message },
    'agent-status': { current: agent, message: agentMessage },
    machine: '1',
    'public-address': '10.0.0.3',
    'certificate-warning': WARNING,
  };
}

/** The message of etcd/0's row. */
function message(view: UnitStatusView): string {
  const status: StatusResponse = {
    model: { name: 'default', controller: 'c', cloud: 'local', version: '0' },
    machines: {},
    applications: {
      etcd: {
        charm: 'etcd',
        'charm-name': 'etcd',
        'charm-rev': 1,
        exposed: false,
        'application-status': { current: 'active', message: '' },
        relations: {},
        units: { 'etcd/0': view },
        scale: 1,
      },
    },
  };
  const row = formatTabular(status)
    .split('\n')
    .find((line) => line.startsWith('etcd/0'));
  return row?.slice(row.indexOf('10.0.0.3') + '10.0.0.3'.length).trim() ?? '';
}

describe("a unit's certificate warning in tabular status", () => {
  it("follows the charm's message", () => {
    expect(message(unit('Healthy with 3 known peers'))).toBe(
      `Healthy with 3 known peers; ${WARNING}`,
    );
  });

  it('stands alone when the charm says nothing', () => {
    expect(message(unit(''))).toBe(WARNING);
  });

  it('comes after what the agent is doing', () => {
    const view = unit('Healthy', 'executing', 'running update-status hook');
    expect(message(view)).toBe(`(update-status) Healthy; ${WARNING}`);
  });
});
