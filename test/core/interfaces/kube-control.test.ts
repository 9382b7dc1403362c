// kube-control: the master's DNS, endpoints and credentials and the worker's auth request;
// wrong values per key, tokens never echoed, and the helpers.
import { describe, expect, it } from 'vitest';
import { kubeControl, kubeControlSpec } from '../../../core/interfaces/kube-control.js';
import { at, problems, SECRET_MARK } from './helpers.js';

const creds = {
  'kubernetes-worker/0': {
    kubeletToken: `kubelet::${SECRET_MARK}`,
    proxyToken: `proxy::${SECRET_MARK}`,
    clientToken: `admin::${SECRET_MARK}`,
    scope: 'kubernetes-worker/0',
  },
};

// As the 1.21 master wrote it (keys taken from its tests' fixture).
const providerBag = {
  'private-address': '10.246.154.7',
  port: '53',
  domain: 'cluster.local',
  'sdn-ip': '10.152.183.20',
  'cluster-tag': 'kubernetes-4ypskxahbu3rnfgsds3pksvwe3uh0lxt',
  'api-endpoints': '["https://10.246.154.7:6443"]',
  creds: JSON.stringify({
    'kubernetes-worker/0': {
      client_token: 'admin::x',
      kubelet_token: 'kubernetes-worker/0::x',
      proxy_token: 'kube-proxy::x',
      scope: 'kubernetes-worker/0',
    },
  }),
  'registry-location': 'rocks.canonical.com:443/cdk',
  'enable-kube-dns': 'True',
};

describe('kube-control: valid bags', () => {
  it('accepts the master and worker bags, unit and app', () => {
    expect(problems('kube-control', 'provider', providerBag)).toEqual([]);
    expect(problems('kube-control', 'provider', providerBag, { scope: 'app' })).toEqual([]);
    const worker = {
      kubelet_user: 'system:node:worker-0',
      auth_group: 'system:nodes',
      gpu: 'False',
    };
    expect(problems('kube-control', 'requirer', worker)).toEqual([]);
    expect(problems('kube-control', 'requirer', worker, { scope: 'app' })).toEqual([]);
  });

  it('accepts an IPv6 sdn-ip', () => {
    expect(problems('kube-control', 'provider', { 'sdn-ip': 'fd00::a' })).toEqual([]);
  });
});

describe('kube-control: each known key with a wrong value', () => {
  const cases: ['provider' | 'requirer', string, string, string][] = [
    ['provider', 'port', 'dns', 'must be a port number (1-65535), got "dns"'],
    [
      'provider',
      'domain',
      'cluster local',
      'must be a DNS domain like cluster.local, got "cluster local"',
    ],
    ['provider', 'sdn-ip', '10.152.183', 'must be an IP address, got "10.152.183"'],
    ['provider', 'cluster-tag', 'a b', 'must be a cluster tag without spaces, got "a b"'],
    [
      'provider',
      'api-endpoints',
      '["10.0.0.1:6443"]',
      'must be a JSON list of URLs, got "[\\"10.0.0.1:6443\\"]"',
    ],
    [
      'provider',
      'creds',
      `{"u":{"kubelet_token":"${SECRET_MARK}"}}`,
      'must be a JSON object of user → {kubelet_token, proxy_token, client_token, scope}, got a value that is not valid',
    ],
    [
      'requirer',
      'kubelet_user',
      'two words',
      'must be a user name without spaces, got "two words"',
    ],
    ['requirer', 'auth_group', 'two words', 'must be a group name without spaces, got "two words"'],
  ];
  it.each(cases)('%s %s = %j', (role, key, value, message) => {
    const found = problems('kube-control', role, { [key]: value });
    expect(found).toEqual([at(key, message)]);
    expect(found.join()).not.toContain(SECRET_MARK);
  });

  it('never echoes an unknown key named like a token', () => {
    const found = problems('kube-control', 'provider', { admin_token: 42 });
    expect(found).toEqual([at('admin_token', 'must be a string, got a value that is not valid')]);
  });
});

describe('kube-control helpers', () => {
  it('publishes DNS, cluster facts and creds the worker reads back', () => {
    const bag = {
      ...kubeControl.provider.publishDns(
        {},
        { port: 53, domain: 'cluster.local', sdnIp: '10.152.183.10' },
      ),
      ...kubeControl.provider.publishCluster(
        {},
        {
          clusterTag: 'kubernetes-abc',
          apiEndpoints: ['https://10.0.0.2:6443'],
        },
      ),
      ...kubeControl.provider.publishCreds({}, creds),
    };
    expect(problems('kube-control', 'provider', bag)).toEqual([]);
    expect(kubeControl.requirer.dns(bag)).toEqual({
      port: 53,
      domain: 'cluster.local',
      sdnIp: '10.152.183.10',
    });
    expect(kubeControl.requirer.apiEndpoints(bag)).toEqual(['https://10.0.0.2:6443']);
    expect(kubeControl.requirer.clusterTag(bag)).toBe('kubernetes-abc');
    const w0 = 'kubernetes-worker/0';
    expect(kubeControl.requirer.creds(bag, w0, w0)).toEqual(creds[w0]);
    expect(kubeControl.requirer.creds(bag, 'kubernetes-worker/1', w0)).toBeUndefined();
    // Another worker's entry is not this worker's, whoever it names.
    expect(kubeControl.requirer.creds(bag, w0, 'kubernetes-worker/1')).toBeUndefined();
    expect(kubeControl.provider.publishCreds(bag, creds)).toEqual({});
  });

  it("addresses each worker's credentials to it, so a new worker changes no one else's key", () => {
    const one = kubeControl.provider.publishCreds({}, creds);
    expect(Object.keys(one)).toEqual(['kubernetes-worker_0.creds']);
    expect(kubeControlSpec.addressee?.('kubernetes-worker_0.creds')).toBe('kubernetes-worker/0');
    expect(kubeControlSpec.addressee?.('api-endpoints')).toBeUndefined();
    const w1 = { ...creds['kubernetes-worker/0'], scope: 'kubernetes-worker/1' };
    const two = kubeControl.provider.publishCreds(one, {
      ...creds,
      'system:node:w1': w1,
    });
    expect(two).toEqual({ 'kubernetes-worker_1.creds': expect.any(String) as string });
    // A worker no longer related loses its key; a 1.21-style blob is emptied.
    const gone = kubeControl.provider.publishCreds({ ...one, ...two, creds: '{}' }, creds);
    expect(gone).toEqual({ 'kubernetes-worker_1.creds': '', creds: '' });
  });

  it("still reads a 1.21 master's one creds blob", () => {
    const blob = JSON.stringify({
      'system:node:w0': {
        kubelet_token: 'k',
        proxy_token: 'p',
        client_token: 'c',
        scope: 'kubernetes-worker/0',
      },
    });
    expect(
      kubeControl.requirer.creds({ creds: blob }, 'system:node:w0', 'kubernetes-worker/0'),
    ).toEqual({
      kubeletToken: 'k',
      proxyToken: 'p',
      clientToken: 'c',
      scope: 'kubernetes-worker/0',
    });
  });

  it('falls back to the master address for DNS when no sdn-ip is given', () => {
    expect(
      kubeControl.requirer.dns({
        port: '53',
        domain: 'cluster.local',
        'private-address': '10.0.0.2',
      }),
    ).toEqual({ port: 53, domain: 'cluster.local', sdnIp: '10.0.0.2' });
  });

  it('round-trips an auth request; the group defaults to system:nodes', () => {
    const writes = kubeControl.requirer.requestAuth(
      {},
      { user: 'system:node:w0', group: 'system:nodes' },
    );
    expect(problems('kube-control', 'requirer', writes)).toEqual([]);
    expect(kubeControl.provider.authRequest(writes)).toEqual({
      user: 'system:node:w0',
      group: 'system:nodes',
    });
    expect(kubeControl.provider.authRequest({ kubelet_user: 'u' })).toEqual({
      user: 'u',
      group: 'system:nodes',
    });
    expect(kubeControl.provider.authRequest({})).toBeUndefined();
  });

  it('reads no creds or endpoints from malformed JSON', () => {
    expect(kubeControl.requirer.creds({ creds: '{' }, 'u', 'w/0')).toBeUndefined();
    expect(kubeControl.requirer.creds({ 'w_0.creds': '{' }, 'u', 'w/0')).toBeUndefined();
    expect(kubeControl.requirer.apiEndpoints({ 'api-endpoints': '{}' })).toEqual([]);
  });
});
