// validateWorkerConfig and labelProblem: the defaults pass and equal config.yaml's; Kubernetes'
// label syntax and kubelet's namespace rule.
import { describe, expect, it } from 'vitest';
import {
  WORKER_CONFIG_DEFAULTS,
  labelProblem,
  validateWorkerConfig,
} from '../../../charms/kubernetes-worker/validate.js';
import { configYamlDefaults } from '../config-defaults.js';

describe('validateWorkerConfig', () => {
  it('accepts the defaults and an empty config', () => {
    expect(validateWorkerConfig(WORKER_CONFIG_DEFAULTS)).toEqual([]);
    expect(validateWorkerConfig({})).toEqual([]);
  });

  it('keeps its defaults equal to config.yaml', () => {
    expect(WORKER_CONFIG_DEFAULTS).toEqual(configYamlDefaults('kubernetes-worker'));
  });
});

describe('labelProblem', () => {
  it.each([
    'role=gpu',
    'zone=',
    'example.com/tier=front-end_1',
    'node.kubernetes.io/role=worker',
    'topology.kubernetes.io/zone=a',
    'kubelet.kubernetes.io/x=y',
  ])('accepts %s', (label) => {
    expect(labelProblem(label)).toBeUndefined();
  });

  it.each([
    ['role', '"role" is not key=value'],
    ['role=a=b', 'the value must be empty or 1-63'],
    ['-role=x', "the key's name must be"],
    [`${'a'.repeat(64)}=x`, "the key's name must be"],
    ['Example.com/x=y', "the key's prefix must be a lower-case DNS name"],
    ['node-role.kubernetes.io/master=', 'kubelet may not set labels in node-role.kubernetes.io'],
    ['k8s.io/x=y', 'kubelet may not set labels in k8s.io'],
  ])('refuses %s', (label, problem) => {
    expect(labelProblem(label)).toContain(problem);
  });
});
