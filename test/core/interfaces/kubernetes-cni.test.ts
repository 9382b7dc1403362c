// kubernetes-cni: the principal's is_master/kubeconfig_path and flannel's cidr/cni-conf-file,
// wrong values per key, and the helpers both sides use.
import { describe, expect, it } from 'vitest';
import { kubernetesCni } from '../../../core/interfaces/kubernetes-cni.js';
import { at, problems } from './helpers.js';

describe('kubernetes-cni', () => {
  it('accepts the principal and subordinate bags, unit and app', () => {
    const principal = { is_master: 'True', kubeconfig_path: '/root/.kube/config' };
    const subordinate = { cidr: '10.1.0.0/16', 'cni-conf-file': '10-flannel.conflist' };
    for (const scope of ['unit', 'app'] as const) {
      expect(problems('kubernetes-cni', 'provider', principal, { scope })).toEqual([]);
      expect(problems('kubernetes-cni', 'requirer', subordinate, { scope })).toEqual([]);
    }
    expect(problems('kubernetes-cni', 'provider', { 'kubeconfig-hash': 'abc' })).toEqual([]);
  });

  const cases: ['provider' | 'requirer', string, string, string][] = [
    ['provider', 'is_master', 'true', 'must be "True" or "False", got "true"'],
    ['provider', 'kubeconfig_path', 'kubeconfig', 'must be an absolute path, got "kubeconfig"'],
    ['requirer', 'cidr', '10.1.0.0', 'must be an IPv4 CIDR like 10.1.0.0/16, got "10.1.0.0"'],
    [
      'requirer',
      'cidr',
      '10.256.0.0/16',
      'must be an IPv4 CIDR like 10.1.0.0/16, got "10.256.0.0/16"',
    ],
    [
      'requirer',
      'cni-conf-file',
      '/etc/cni/net.d/x',
      'must be a file name like 10-flannel.conflist, got "/etc/cni/net.d/x"',
    ],
  ];
  it.each(cases)('%s %s = %j', (role, key, value, message) => {
    expect(problems('kubernetes-cni', role, { [key]: value })).toEqual([at(key, message)]);
  });

  it('helpers: each side publishes what the other reads', () => {
    const principal = kubernetesCni.provider.publish(
      {},
      { isMaster: false, kubeconfigPath: '/root/cdk/kubeconfig' },
    );
    expect(principal).toEqual({ is_master: 'False', kubeconfig_path: '/root/cdk/kubeconfig' });
    expect(problems('kubernetes-cni', 'provider', principal)).toEqual([]);
    expect(kubernetesCni.requirer.principal(principal)).toEqual({
      isMaster: false,
      kubeconfigPath: '/root/cdk/kubeconfig',
    });
    expect(kubernetesCni.requirer.principal({ ...principal, is_master: 'yes' })).toBeUndefined();

    const sub = kubernetesCni.requirer.publish(
      {},
      { cidr: '10.1.0.0/16', cniConfFile: '10-flannel.conflist' },
    );
    expect(problems('kubernetes-cni', 'requirer', sub)).toEqual([]);
    expect(kubernetesCni.provider.config(sub)).toEqual({
      cidr: '10.1.0.0/16',
      cniConfFile: '10-flannel.conflist',
    });
    expect(kubernetesCni.provider.config({ cidr: '10.1.0.0/16' })).toBeUndefined();
  });
});
