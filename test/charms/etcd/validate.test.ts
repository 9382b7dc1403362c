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
import { ETCD_CIPHER_SUITES } from '../../../charms/etcd/workload/cipher-suites.js';

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
    [{ bind_to_all_interfaces: 'yes' }, 'bind_to_all_interfaces must be true or false, got "yes"'],
    [{ bind_with_insecure_http: 1 }, 'bind_with_insecure_http must be true or false, got 1'],
    [
      { tls_cipher_suites: 'TLS_AES_128_GCM_SHA256,ECDHE-RSA-AES128-GCM-SHA256' },
      'tls_cipher_suites has names etcd 3.4 does not know: "TLS_AES_128_GCM_SHA256", ' +
        '"ECDHE-RSA-AES128-GCM-SHA256" (it takes Go\'s names, such as ' +
        'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)',
    ],
    [
      { tls_cipher_suites: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' },
      'tls_cipher_suites must include a suite for RSA keys (TLS_ECDHE_RSA_* or TLS_RSA_*): ' +
        'the certificate authority issues RSA keys',
    ],
    [
      { tls_cipher_suites: 7 },
      'tls_cipher_suites must be a comma-separated list of suite names, got 7',
    ],
    [
      { channel: '3.4/rc' },
      'channel must be auto or a snap channel like 1.21/stable, got "3.4/rc"',
    ],
    [
      { snapd_refresh: 'daily' },
      'snapd_refresh must be max, empty, or a snapd refresh.timer value like fri,23:00-01:00, ' +
        'got "daily"',
    ],
  ])('%j', (config, message) => {
    expect(validateConfig(config)).toEqual([message]);
  });

  it.each([
    { tls_cipher_suites: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256' },
    { tls_cipher_suites: ' TLS_RSA_WITH_AES_128_CBC_SHA , TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,' },
    { channel: '' },
    { channel: 'stable' },
    { channel: '3.4' },
    { channel: '3.4/edge/fix-1' },
    { snapd_refresh: '' },
    { snapd_refresh: 'fri,23:00-01:00' },
    { snapd_refresh: 'mon,10:00,,fri,15:00' },
    { snapd_refresh: 'mon1-fri3,00:00~24:00/4' },
  ])('accepts %j', (config) => {
    expect(validateConfig(config)).toEqual([]);
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

describe('ETCD_CIPHER_SUITES', () => {
  it("is etcd 3.4's table: 22 Go names, no TLS 1.3 suite (Go does not let those be chosen)", () => {
    expect(ETCD_CIPHER_SUITES).toHaveLength(22);
    expect(new Set(ETCD_CIPHER_SUITES).size).toBe(22);
    expect(ETCD_CIPHER_SUITES.every((n) => /^TLS_(RSA|ECDHE_RSA|ECDHE_ECDSA)_WITH_/.test(n))).toBe(
      true,
    );
  });
});
