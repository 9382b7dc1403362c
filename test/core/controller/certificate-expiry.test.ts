// Certificate expiry as the controller learns it from easyrsa's records (issue 17 item 3): who
// holds which certificate until when, the warning status shows within certificate-expiry-warning,
// and that nothing but the holder and the date leaves the leader settings.
import { afterEach, describe, expect, it } from 'vitest';
import { certificateExpiries, expiryWarning } from '../../../core/controller/certificate-expiry.js';
import { checkModelConfig } from '../../../core/controller/model-config.js';
import { modelStatus } from '../../../core/controller/model-status.js';
import { ETCD, removeTestDirs, setup } from './model-operations-setup.js';

afterEach(removeTestDirs);

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-07T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const KEY = '-----BEGIN RSA PRIVATE KEY-----\nMIIsecret\n-----END RSA PRIVATE KEY-----';

/** easyrsa + 3 etcd in the store (no hooks run), easyrsa's leader settings as its leader keeps
 * them: the records beside the CA's private key. */
async function model(records: unknown[]) {
  const m = setup();
  await m.ops.deploy(ETCD, []);
  m.store.writeLeaderSettings('easyrsa', {
    certificates: JSON.stringify(records),
    'ca.key': KEY,
  });
  return m;
}

const record = (holder: string, expires: number, kind = 'server') => ({
  holder,
  name: holder,
  kind,
  serial: '01',
  expires: iso(expires),
  issuer: 'easyrsa',
});

describe('certificateExpiries', () => {
  it("gives each unit its own certificate's expiry and each application its earliest", async () => {
    const m = await model([
      record('etcd_0', NOW + 40 * DAY),
      record('etcd_1', NOW + 10 * DAY),
      record('etcd_2', NOW + 50 * DAY),
    ]);
    const { units, applications } = certificateExpiries(m.store);
    expect(Object.fromEntries(units)).toEqual({
      'etcd/0': NOW + 40 * DAY,
      'etcd/1': NOW + 10 * DAY,
      'etcd/2': NOW + 50 * DAY,
    });
    expect(Object.fromEntries(applications)).toEqual({ etcd: NOW + 10 * DAY });
  });

  it('counts the shared client certificate for every unit related over tls-certificates', async () => {
    const m = await model([record('etcd_0', NOW + 40 * DAY), record('client', NOW + 20 * DAY)]);
    const { units } = certificateExpiries(m.store);
    expect(units.get('etcd/0')).toBe(NOW + 20 * DAY);
    expect(units.get('etcd/2')).toBe(NOW + 20 * DAY);
    // easyrsa issues it, it does not hold it.
    expect(units.has('easyrsa/0')).toBe(false);
  });

  it('passes over records of units gone and records it cannot read', async () => {
    const m = await model([
      record('etcd_9', NOW),
      { holder: 'etcd_0', expires: 'soon' },
      'not a record',
      record('etcd_1', NOW + DAY),
    ]);
    expect([...certificateExpiries(m.store).units.keys()]).toEqual(['etcd/1']);
    m.store.writeLeaderSettings('easyrsa', { certificates: '{not json' });
    expect(certificateExpiries(m.store).units.size).toBe(0);
  });
});

describe('the certificate warning in status', () => {
  it('warns of a unit whose certificate expires within 30 days by default, and says when', async () => {
    const m = await model([record('etcd_0', NOW + 40 * DAY), record('etcd_1', NOW + 9.25 * DAY)]);
    const units = modelStatus(m.store, new Map(), undefined, {
      units: m.store.units(),
      addresses: new Map(),
      now: NOW,
    }).applications.etcd?.units;
    expect(units?.['etcd/0']?.['certificate-warning']).toBeUndefined();
    expect(units?.['etcd/1']?.['certificate-warning']).toBe(
      'certificate expires in 9 days (2026-12-16T18:00:00Z)',
    );
    expect(JSON.stringify(units)).not.toMatch(/PRIVATE KEY|MIIsecret/);
  });

  it('follows certificate-expiry-warning, which refuses what is not a duration', async () => {
    const m = await model([record('etcd_0', NOW + 40 * DAY)]);
    expect(() => checkModelConfig({ 'certificate-expiry-warning': 'soon' })).toThrow(
      /certificate-expiry-warning: "soon" is not a duration like 30d or 12h/,
    );
    m.store.setModelConfig({ 'certificate-expiry-warning': '60d' });
    const reads = { units: m.store.units(), addresses: new Map<string, string>(), now: NOW };
    const etcd0 = modelStatus(m.store, new Map(), undefined, reads).applications.etcd?.units?.[
      'etcd/0'
    ];
    expect(etcd0?.['certificate-warning']).toMatch(/^certificate expires in 40 days/);
  });
});

describe('expiryWarning', () => {
  it.each([
    [NOW + 31 * DAY, undefined],
    [NOW + DAY, 'certificate expires in 1 day (2026-12-08T12:00:00Z)'],
    [NOW + 5 * 3_600_000, 'certificate expires in 5 hours (2026-12-07T17:00:00Z)'],
    [NOW + 20_000, 'certificate expires in 1 minute (2026-12-07T12:00:20Z)'],
    [NOW + 9.75 * DAY, 'certificate expires in 10 days (2026-12-17T06:00:00Z)'],
    [NOW - 1, 'certificate expired 2026-12-07T11:59:59Z'],
  ])('%s → %s', (expires, warning) => {
    expect(expiryWarning(expires, NOW, 30 * DAY)).toBe(warning);
  });
});
