// Test helpers for the charm SDK: a small charm's metadata and a hook context input to override.
import type { CharmMachine, HookContextInput } from '../../../core/charm/index.js';
import { fakeMachine } from '../../../core/charm/index.js';
import type { CharmMeta } from '../../../core/charm/index.js';

export const meta: CharmMeta = {
  name: 'web',
  summary: '',
  description: '',
  subordinate: false,
  resources: {},
  endpoints: [
    { name: 'db', role: 'requirer', interface: 'pgsql', scope: 'global', optional: false },
    { name: 'site', role: 'provider', interface: 'http', scope: 'global', optional: false },
    { name: 'cluster', role: 'peer', interface: 'web-peers', scope: 'global', optional: false },
  ],
};

export const machine = (): CharmMachine => fakeMachine().machine;

/** web/0, follower, related to postgres on db:1 (postgres/0 joined) and peers on cluster:2. */
export function input(overrides: Partial<HookContextInput> = {}): HookContextInput {
  return {
    meta,
    hook: { kind: 'config-changed' },
    unit: 'web/0',
    config: { port: 80 },
    isLeader: false,
    privateAddress: '10.0.0.1',
    relations: [
      {
        id: 1,
        endpoint: 'db',
        remoteApp: 'postgres',
        local: {},
        app: { schema: 'v1' },
        remoteUnits: { 'postgres/0': { host: '10.0.0.9' } },
        remoteAppData: { database: 'web' },
      },
      {
        id: 2,
        endpoint: 'cluster',
        remoteApp: 'web',
        local: { 'private-address': '10.0.0.1' },
        app: { leader: 'web/1' },
        remoteUnits: { 'web/1': { seen: '1' }, 'web/2': { seen: '2' } },
        remoteAppData: {},
      },
    ],
    state: { count: 1 },
    machine: machine(),
    redact: (text) => text,
    ...overrides,
  };
}
