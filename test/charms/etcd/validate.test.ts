// validateConfig: one case per rule, each message naming its option; and the defaults match
// config.yaml.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  ETCD_CONFIG_DEFAULTS,
  configBlockedMessage,
  validateConfig,
} from '../../../charms/etcd/workload/validate.js';

describe('validateConfig', () => {
  it('accepts the defaults and an empty config', () => {
    expect(validateConfig(ETCD_CONFIG_DEFAULTS)).toEqual([]);
    expect(validateConfig({})).toEqual([]);
  });

  it.each([
    [{ port: 0 }, 'port must be an integer from 1 to 65535, got 0'],
    [{ port: 65536 }, 'port must be an integer from 1 to 65535, got 65536'],
    [{ management_port: 2380.5 }, 'management_port must be an integer from 1 to 65535, got 2380.5'],
    [{ management_port: '2380' }, 'management_port must be an integer from 1 to 65535, got "2380"'],
    [{ port: 2380 }, 'port and management_port must differ, both are 2380'],
    [
      { bind_with_insecure_http: true, management_port: 4001 },
      'management_port must not be 4001 while bind_with_insecure_http is true: the plain-HTTP listener uses http://127.0.0.1:4001',
    ],
    [{ heartbeat_interval: 0 }, 'heartbeat_interval must be a positive integer (ms), got 0'],
    [
      { election_timeout: 50000 },
      'election_timeout must be an integer from 1 to 49999 (ms), got 50000',
    ],
    [
      { heartbeat_interval: 300, election_timeout: 1000 },
      'election_timeout must be at least 5 times heartbeat_interval (1500), got 1000',
    ],
    [{ snapshot_count: -1 }, 'snapshot_count must be a positive integer, got -1'],
    [
      { 'install-source': 'apt' },
      'install-source must be one of auto, package, snap, archive, resource, got "apt"',
    ],
  ])('%j', (config, message) => {
    expect(validateConfig(config)).toEqual([message]);
  });

  it('allows port 4001 when the plain-HTTP listener is off', () => {
    expect(validateConfig({ port: 4001 })).toEqual([]);
  });

  it('reports every problem, in option order, as one blocked message', () => {
    const problems = validateConfig({ port: 70000, management_port: 0, snapshot_count: 0 });
    expect(problems).toHaveLength(3);
    expect(configBlockedMessage(problems)).toBe(
      'Invalid config: port must be an integer from 1 to 65535, got 70000; ' +
        'management_port must be an integer from 1 to 65535, got 0; ' +
        'snapshot_count must be a positive integer, got 0',
    );
    expect(configBlockedMessage([])).toBeUndefined();
  });
});

describe('ETCD_CONFIG_DEFAULTS', () => {
  it('equals the defaults in charms/etcd/config.yaml', () => {
    const file = new URL('../../../charms/etcd/config.yaml', import.meta.url);
    const doc = parse(readFileSync(file, 'utf8')) as {
      options: Record<string, { default: unknown }>;
    };
    const defaults = Object.fromEntries(
      Object.entries(doc.options).map(([k, v]) => [k, v.default]),
    );
    expect(ETCD_CONFIG_DEFAULTS).toEqual(defaults);
  });
});
