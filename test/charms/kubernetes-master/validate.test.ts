// validateMasterConfig: the defaults pass and equal config.yaml's; problems come in option order.
import { describe, expect, it } from 'vitest';
import {
  MASTER_CONFIG_DEFAULTS,
  authorizationModes,
  validateMasterConfig,
} from '../../../charms/kubernetes-master/validate.js';
import { configYamlDefaults } from '../config-defaults.js';

describe('validateMasterConfig', () => {
  it('accepts the defaults and an empty config', () => {
    expect(validateMasterConfig(MASTER_CONFIG_DEFAULTS)).toEqual([]);
    expect(validateMasterConfig({})).toEqual([]);
  });

  it('keeps its defaults equal to config.yaml', () => {
    expect(MASTER_CONFIG_DEFAULTS).toEqual(configYamlDefaults('kubernetes-master'));
  });

  it('reports each bad option once, in config.yaml order', () => {
    const problems = validateMasterConfig({
      'default-cni': '-x',
      dns_domain: 'a..b',
      'require-manual-upgrade': 'yes',
    });
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'require-manual-upgrade',
      'dns_domain',
      'default-cni',
    ]);
  });

  it('accepts Webhook only with its config file in api-extra-args', () => {
    expect(validateMasterConfig({ 'authorization-mode': 'Node,Webhook' })).toEqual([
      'authorization-mode Webhook needs authorization-webhook-config-file=PATH in api-extra-args',
    ]);
    const extra = { 'api-extra-args': 'authorization-webhook-config-file=/root/cdk/webhook.yaml' };
    expect(validateMasterConfig({ 'authorization-mode': 'Node,Webhook', ...extra })).toEqual([]);
  });

  it('checks an authorization-mode set through api-extra-args, which would win', () => {
    expect(validateMasterConfig({ 'api-extra-args': 'authorization-mode=Bogus' })).toEqual([
      'api-extra-args authorization-mode must be comma-separated modes from Node, RBAC, ABAC, ' +
        'Webhook, AlwaysAllow, AlwaysDeny, got "Bogus"',
    ]);
    expect(validateMasterConfig({ 'api-extra-args': 'authorization-mode=RBAC' })).toEqual([]);
  });

  it('passes modes without the spaces kube-apiserver would refuse', () => {
    expect(authorizationModes(' Node , RBAC')).toEqual(['Node', 'RBAC']);
  });
});
