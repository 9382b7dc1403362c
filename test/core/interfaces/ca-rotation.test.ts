// The CA rotation echo on both interfaces that carry it: the keys each side may write, the
// ask/echo helpers, and who a provider waits for (only units that speak the protocol).
import { describe, expect, it } from 'vitest';
import { caRotation } from '../../../core/interfaces/ca-rotation.js';
import { etcd } from '../../../core/interfaces/etcd.js';
import { CERT, KEY, problems } from './helpers.js';

const STEP = '0123456789abcdef/trust-both';

describe('ca-rotation: the keys on tls-certificates and etcd', () => {
  it('accepts a step asked by the provider and echoed by the requirer, on both interfaces', () => {
    for (const iface of ['tls-certificates', 'etcd']) {
      expect(problems(iface, 'provider', { ca_rotation: STEP })).toEqual([]);
      expect(problems(iface, 'requirer', { ca_rotation_applied: STEP })).toEqual([]);
      expect(problems(iface, 'requirer', { ca_rotation_applied: 'none' })).toEqual([]);
    }
  });

  it('refuses a step with spaces in it, naming the key', () => {
    expect(problems('etcd', 'requirer', { ca_rotation_applied: 'not a token' })).toEqual([
      'relation etcd:db - kubernetes-master:etcd, unit etcd/0, key ca_rotation_applied: ' +
        'must be a CA rotation step token, or none, got "not a token"',
    ]);
  });
});

describe('ca-rotation: helpers', () => {
  it('echoes the step applied, none outside a rotation, and writes nothing when unchanged', () => {
    expect(caRotation.echo({}, STEP)).toEqual({ ca_rotation_applied: STEP });
    expect(caRotation.echo({}, undefined)).toEqual({ ca_rotation_applied: 'none' });
    expect(caRotation.echo({ ca_rotation_applied: STEP }, STEP)).toEqual({});
  });

  it('waits only for units that echo and are on another step', () => {
    const units = [
      ['kubernetes-master/0', { ca_rotation_applied: STEP }],
      ['kubernetes-master/1', { ca_rotation_applied: 'none' }],
      ['flannel/0', {}],
    ] as const;
    expect(caRotation.behind(units, STEP)).toEqual(['kubernetes-master/1']);
  });

  it("etcd's db carries the step with the credentials, and withdraws it after the rotation", () => {
    const data = {
      endpoints: ['https://10.0.0.5:2379'],
      clientCa: CERT,
      clientCert: CERT,
      clientKey: KEY,
      version: '3.4.23',
    };
    const during = etcd.provider.publish({}, { ...data, caRotation: STEP });
    expect(during['ca_rotation']).toBe(STEP);
    expect(etcd.requirer.connection(during)?.caRotation).toBe(STEP);
    const after = etcd.provider.publish(during, data);
    expect(after).toEqual({ ca_rotation: '' });
    expect(etcd.requirer.connection({ ...during, ca_rotation: '' })?.caRotation).toBeUndefined();
  });
});
