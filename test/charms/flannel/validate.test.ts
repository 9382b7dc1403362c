// validateFlannelConfig: the defaults pass and equal config.yaml's; each option's limits.
import { describe, expect, it } from 'vitest';
import {
  FLANNEL_CONFIG_DEFAULTS,
  validateFlannelConfig,
} from '../../../charms/flannel/validate.js';
import { configYamlDefaults } from '../config-defaults.js';

describe('validateFlannelConfig', () => {
  it('accepts the defaults and an empty config', () => {
    expect(validateFlannelConfig(FLANNEL_CONFIG_DEFAULTS)).toEqual([]);
    expect(validateFlannelConfig({})).toEqual([]);
  });

  it('keeps its defaults equal to config.yaml', () => {
    expect(FLANNEL_CONFIG_DEFAULTS).toEqual(configYamlDefaults('flannel'));
  });

  it.each([
    { cidr: '10.1.0.0/28' },
    { iface: 'eth0' },
    { iface: 'ens3.100' },
    { iface: '10.0.0.5' },
    { port: 8472 },
    { vni: 16_777_215 },
    { 'archive-url': 'https://example.com/flannel.tar.gz' },
  ])('accepts %j', (config) => {
    expect(validateFlannelConfig(config)).toEqual([]);
  });
});
