// tls-certificates: both sides' bags as Charmed Kubernetes 1.21 wrote them, one wrong value per
// key, secrets never echoed, and the request/issue helpers round-tripping through validation.
import { describe, expect, it } from 'vitest';
import { applyWrites } from '../../../core/interfaces/databag.js';
import { tlsCertificates, unitKeyPrefix } from '../../../core/interfaces/tls-certificates.js';
import { at, CERT, KEY, problems, SECRET_MARK, without } from './helpers.js';

const requirerBag = {
  'private-address': '10.0.0.5',
  common_name: '10.0.0.5',
  sans: '["10.0.0.5","etcd-0"]',
  certificate_name: 'etcd-server',
  cert_requests: '{"etcd-peer":{"sans":["10.0.0.5"]}}',
  client_cert_requests: '{"etcd-client":{"sans":[]}}',
  unit_name: 'etcd_0',
};

const providerBag = {
  'private-address': '10.0.0.2',
  ca: CERT,
  chain: CERT + CERT,
  'client.cert': CERT,
  'client.key': KEY,
  'etcd_0.server.cert': CERT,
  'etcd_0.server.key': KEY,
  'etcd_0.processed_requests': JSON.stringify({ 'etcd-peer': { cert: CERT, key: KEY } }),
  'etcd_0.processed_client_requests': JSON.stringify({ 'etcd-client': { cert: CERT, key: KEY } }),
  'kubernetes-master_12.server.cert': CERT,
};

describe('tls-certificates: valid bags', () => {
  it('accepts a requirer unit bag and app bag', () => {
    expect(problems('tls-certificates', 'requirer', requirerBag)).toEqual([]);
    const app = without(requirerBag, 'private-address');
    expect(problems('tls-certificates', 'requirer', app, { scope: 'app' })).toEqual([]);
  });

  it('accepts a provider unit bag and app bag (per-unit keys by pattern)', () => {
    expect(problems('tls-certificates', 'provider', providerBag)).toEqual([]);
    expect(problems('tls-certificates', 'provider', providerBag, { scope: 'app' })).toEqual([]);
  });

  it('allows keys it does not know (other providers add their own)', () => {
    expect(problems('tls-certificates', 'provider', { 'ingress-address': '10.0.0.2' })).toEqual([]);
  });

  it('accepts sans of null in a batch request (1.21 sent None when no SANs were given)', () => {
    expect(
      problems('tls-certificates', 'requirer', { cert_requests: '{"a":{"sans":null}}' }),
    ).toEqual([]);
  });
});

describe('tls-certificates: each known key with a wrong value', () => {
  const requirerCases: [string, string, string][] = [
    ['common_name', 'a\nb', 'must be a common name, got "a\\nb"'],
    ['sans', '["a",1]', 'must be a JSON list of strings, got "[\\"a\\",1]"'],
    ['sans', 'etcd-0', 'must be a JSON list of strings, got "etcd-0"'],
    ['certificate_name', '\n', 'must be a certificate name, got "\\n"'],
    [
      'cert_requests',
      '{"a":{}}',
      'must be a JSON object of name → {"sans": [...]}, got "{\\"a\\":{}}"',
    ],
    ['client_cert_requests', '[]', 'must be a JSON object of name → {"sans": [...]}, got "[]"'],
    ['unit_name', 'etcd/0', 'must be a unit name like etcd_0, got "etcd/0"'],
  ];
  it.each(requirerCases)('requirer %s = %j', (key, value, message) => {
    expect(problems('tls-certificates', 'requirer', { [key]: value })).toEqual([at(key, message)]);
  });

  const providerCases: [string, string, string][] = [
    ['ca', 'not a cert', 'must be a PEM certificate, got "not a cert"'],
    ['chain', 'x', 'must be a PEM certificate, got "x"'],
    ['client.cert', 'x', 'must be a PEM certificate, got "x"'],
    ['etcd_0.server.cert', 'x', 'must be a PEM certificate, got "x"'],
    ['client.key', `x${SECRET_MARK}`, 'must be a PEM private key, got a value that is not valid'],
    [
      'etcd_0.server.key',
      `x${SECRET_MARK}`,
      'must be a PEM private key, got a value that is not valid',
    ],
    [
      'etcd_0.processed_requests',
      `{"a":{"cert":"c","key${SECRET_MARK}":1}}`,
      'must be a JSON object of name → {"cert": ..., "key": ...}, got a value that is not valid',
    ],
    [
      'etcd_0.processed_client_requests',
      `nope${SECRET_MARK}`,
      'must be a JSON object of name → {"cert": ..., "key": ...}, got a value that is not valid',
    ],
  ];
  it.each(providerCases)('provider %s', (key, value, message) => {
    const found = problems('tls-certificates', 'provider', { [key]: value });
    expect(found).toEqual([at(key, message)]);
    if (message.endsWith('not valid')) expect(found.join()).not.toContain(SECRET_MARK);
  });

  it('never echoes a private key pasted under a public key name', () => {
    const found = problems('tls-certificates', 'provider', { ca: KEY });
    expect(found).toEqual([at('ca', 'must be a PEM certificate, got a value that is not valid')]);
    expect(found.join()).not.toContain(SECRET_MARK);
  });

  it('names the application when the app bag is wrong', () => {
    expect(problems('tls-certificates', 'provider', { ca: 'x' }, { scope: 'app' })).toEqual([
      at('ca', 'must be a PEM certificate, got "x"', 'application etcd'),
    ]);
  });
});

describe('tls-certificates helpers', () => {
  it('maps a unit name to its key prefix as Charmed Kubernetes did', () => {
    expect(unitKeyPrefix('kubernetes-master/12')).toBe('kubernetes-master_12');
  });

  it('requests a server cert once: the same request again writes nothing', () => {
    const writes = tlsCertificates.requirer.request(
      {},
      { commonName: '10.0.0.5', sans: ['b', 'a', 'b'] },
    );
    expect(writes).toEqual({
      common_name: '10.0.0.5',
      sans: '["a","b"]',
      certificate_name: '10.0.0.5',
    });
    expect(problems('tls-certificates', 'requirer', writes)).toEqual([]);
    expect(
      tlsCertificates.requirer.request(writes, { commonName: '10.0.0.5', sans: ['a', 'b'] }),
    ).toEqual({});
  });

  it('merges batch requests with those already in the bag', () => {
    const first = tlsCertificates.requirer.requestBatch({}, 'server', { peer: ['x'] });
    const second = tlsCertificates.requirer.requestBatch(first, 'server', { api: ['y'] });
    expect(JSON.parse(second.cert_requests ?? '')).toEqual({
      api: { sans: ['y'] },
      peer: { sans: ['x'] },
    });
    expect(tlsCertificates.requirer.requestBatch({}, 'client', { admin: [] })).toEqual({
      client_cert_requests: '{"admin":{"sans":[]}}',
    });
  });

  it('lists requests, issues each where the requirer will look, and reads them back', () => {
    const requests = tlsCertificates.provider.requests(requirerBag, 'etcd/0');
    expect(requests.map((r) => [r.certType, r.commonName, r.topLevel])).toEqual([
      ['server', '10.0.0.5', true],
      ['server', 'etcd-peer', false],
      ['client', 'etcd-client', false],
    ]);
    let bag = tlsCertificates.provider.publishCa({}, CERT);
    for (const req of requests) {
      bag = applyWrites(bag, tlsCertificates.provider.issue(bag, req, { cert: CERT, key: KEY }));
    }
    expect(problems('tls-certificates', 'provider', bag)).toEqual([]);
    expect(tlsCertificates.requirer.ca(bag)).toBe(CERT);
    expect(tlsCertificates.requirer.serverCert(bag, 'etcd/0')).toEqual({ cert: CERT, key: KEY });
    expect(tlsCertificates.requirer.serverCert(bag, 'etcd/1')).toBeUndefined();
    expect(tlsCertificates.requirer.batchCert(bag, 'etcd/0', 'server', 'etcd-peer')).toEqual({
      cert: CERT,
      key: KEY,
    });
    expect(tlsCertificates.requirer.batchCert(bag, 'etcd/0', 'client', 'etcd-client')).toEqual({
      cert: CERT,
      key: KEY,
    });
    expect(tlsCertificates.requirer.batchCert(bag, 'etcd/0', 'client', 'nope')).toBeUndefined();
  });

  it('publishes and reads the shared client cert', () => {
    const bag = tlsCertificates.provider.publishClientCert({}, { cert: CERT, key: KEY });
    expect(tlsCertificates.requirer.clientCert(bag)).toEqual({ cert: CERT, key: KEY });
    expect(tlsCertificates.requirer.clientCert({ 'client.cert': CERT })).toBeUndefined();
  });

  it('finds no requests in malformed JSON rather than throwing', () => {
    expect(tlsCertificates.provider.requests({ cert_requests: '{', sans: 'x' }, 'etcd/0')).toEqual(
      [],
    );
  });
});
