// http: the provider's hostname and port (kube-api-endpoint), wrong values, and the helpers.
import { describe, expect, it } from 'vitest';
import { http } from '../../../core/interfaces/http.js';
import { at, problems } from './helpers.js';

describe('http', () => {
  it('accepts the provider unit and app bags, and extra keys', () => {
    const bag = { 'private-address': '10.0.0.2', hostname: 'master-0', port: '6443' };
    expect(problems('http', 'provider', bag)).toEqual([]);
    expect(
      problems('http', 'provider', { port: '443', extended_data: '{}' }, { scope: 'app' }),
    ).toEqual([]);
  });

  it('lets the requirer write any string values (it has no schema)', () => {
    expect(problems('http', 'requirer', { anything: 'goes' })).toEqual([]);
    expect(problems('http', 'requirer', { anything: 5 })).toEqual([
      at('anything', 'must be a string, got 5'),
    ]);
  });

  const cases: [string, string, string][] = [
    ['hostname', 'two words', 'must be a host name or address, got "two words"'],
    ['private-address', 'a b', 'must be a host name or address, got "a b"'],
    ['port', '64k', 'must be a port number (1-65535), got "64k"'],
    ['port', '65536', 'must be a port number (1-65535), got "65536"'],
  ];
  it.each(cases)('provider %s = %j', (key, value, message) => {
    expect(problems('http', 'provider', { [key]: value })).toEqual([at(key, message)]);
  });

  it('publishes and reads a service; hostname falls back to private-address', () => {
    const writes = http.provider.publish({}, { hostname: '10.0.0.2', port: 6443 });
    expect(writes).toEqual({ hostname: '10.0.0.2', port: '6443' });
    expect(http.requirer.service(writes)).toEqual({ hostname: '10.0.0.2', port: 6443 });
    expect(http.requirer.service({ 'private-address': '10.0.0.3', port: '443' })).toEqual({
      hostname: '10.0.0.3',
      port: 443,
    });
    expect(http.requirer.service({ hostname: 'x' })).toBeUndefined();
  });
});
