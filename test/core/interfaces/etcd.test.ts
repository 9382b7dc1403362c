// etcd: the db provider's bag (connection string + client credentials), the cluster peers' bag,
// one wrong value per key, secrets never echoed, and the publish/connection helpers.
import { describe, expect, it } from 'vitest';
import { etcd } from '../../../core/interfaces/etcd.js';
import { at, CERT, KEY, problems, SECRET_MARK, without } from './helpers.js';

const providerBag = {
  'private-address': '10.0.0.5',
  connection_string: 'https://10.0.0.5:2379,https://10.0.0.6:2379',
  client_ca: CERT,
  client_cert: CERT,
  client_key: KEY,
  version: '3.4.22',
};

describe('etcd: valid bags', () => {
  it('accepts the provider unit and app bags', () => {
    expect(problems('etcd', 'provider', providerBag)).toEqual([]);
    expect(problems('etcd', 'provider', providerBag, { scope: 'app' })).toEqual([]);
  });

  it('accepts the cluster peer bags, and unknown peer keys', () => {
    const peer = {
      'private-address': '10.0.0.5',
      management_port: '2380',
      public_address: '10.0.0.5',
      unit_name: 'etcd0',
      'registration-token': 'anything',
    };
    expect(problems('etcd', 'peer', peer, { relation: 'etcd:cluster' })).toEqual([]);
    expect(
      problems('etcd', 'peer', { cluster: 'etcd0=https://10.0.0.5:2380' }, { scope: 'app' }),
    ).toEqual([]);
  });

  it('accepts a plain-http connection string (a test etcd without TLS)', () => {
    expect(problems('etcd', 'provider', { connection_string: 'http://127.0.0.1:2379' })).toEqual(
      [],
    );
  });
});

describe('etcd: each known key with a wrong value', () => {
  const cases: [string, string, string][] = [
    ['connection_string', 'x', 'must be comma-separated URLs, got "x"'],
    [
      'connection_string',
      'https://a:2379, https://b:2379',
      'must be comma-separated URLs, got "https://a:2379, https://b:2379"',
    ],
    ['client_ca', 'x', 'must be a PEM certificate, got "x"'],
    ['client_cert', 'x', 'must be a PEM certificate, got "x"'],
    ['client_key', `x${SECRET_MARK}`, 'must be a PEM private key, got a value that is not valid'],
    ['version', 'three', 'must be a version like 3.4.5, got "three"'],
  ];
  it.each(cases)('provider %s = %j', (key, value, message) => {
    const found = problems('etcd', 'provider', { ...providerBag, [key]: value });
    expect(found).toEqual([at(key, message)]);
    expect(found.join()).not.toContain(SECRET_MARK);
  });

  const peerCases: [string, string, string][] = [
    ['management_port', '0', 'must be a port number (1-65535), got "0"'],
    ['public_address', 'a b', 'must be a host name or address, got "a b"'],
    ['unit_name', 'etcd 0', 'must be a member name, got "etcd 0"'],
  ];
  it.each(peerCases)('peer %s = %j', (key, value, message) => {
    expect(problems('etcd', 'peer', { [key]: value })).toEqual([at(key, message)]);
  });
});

describe('etcd helpers', () => {
  const data = {
    endpoints: ['https://10.0.0.5:2379', 'https://10.0.0.6:2379'],
    clientCa: CERT,
    clientCert: CERT,
    clientKey: KEY,
  };

  it('publishes valid keys that the requirer reads back', () => {
    const expected = without(providerBag, 'private-address');
    const writes = etcd.provider.publish({}, { ...data, version: '3.4.22' });
    expect(writes).toEqual(expected);
    expect(problems('etcd', 'provider', writes)).toEqual([]);
    expect(etcd.requirer.connection(writes)).toEqual({
      connectionString: 'https://10.0.0.5:2379,https://10.0.0.6:2379',
      ...data,
      version: '3.4.22',
    });
  });

  it('writes nothing when nothing changed, and deletes a version no longer known', () => {
    expect(etcd.provider.publish(providerBag, { ...data, version: '3.4.22' })).toEqual({});
    expect(etcd.provider.publish(providerBag, data)).toEqual({ version: '' });
  });

  it('has no connection until every credential is there; no version means etcd 2', () => {
    const partial = without(providerBag, 'client_key');
    expect(etcd.requirer.connection(partial)).toBeUndefined();
    const unversioned = without(providerBag, 'version');
    expect(etcd.requirer.connection(unversioned)?.version).toBeUndefined();
  });

  it('publishes and reads a cluster member', () => {
    const member = { unitName: 'etcd0', publicAddress: '10.0.0.5', managementPort: 2380 };
    const writes = etcd.peer.publish({}, member);
    expect(problems('etcd', 'peer', writes)).toEqual([]);
    expect(etcd.peer.member(writes)).toEqual(member);
    expect(etcd.peer.member({ ...writes, management_port: 'x' })).toBeUndefined();
  });
});
