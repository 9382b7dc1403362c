// A running member given bad config (issue 15 item 11): every bad value blocks the unit with the
// option named and changes nothing, not the machine (no restart, no file) and not a relation,
// so a config change can never take the members down; good values still run.
import { describe, expect, it } from 'vitest';
import type { HarnessResult, HarnessState } from '../../../core/charm/index.js';
import { harness, member, ownViewAnswers, unitState } from './fixtures.js';

const alone = unitState('etcd/0', {
  leader: true,
  run: ownViewAnswers('etcd/0', [member('etcd/0')]),
});

async function running(): Promise<HarnessState> {
  const out = await harness.run(alone, 'install');
  expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 1 known peer' });
  return out.state;
}

function expectUntouched(out: HarnessResult, before: HarnessState): void {
  expect(out.ok).toBe(true);
  expect(out.machineCalls).toEqual([]);
  expect(out.state.machine).toEqual(before.machine);
  expect(out.outcome?.relations).toEqual([]);
  expect(out.state.leaderSettings).toEqual(before.leaderSettings);
}

describe('etcd: bad config on a running member', () => {
  it.each([
    [
      { tls_cipher_suites: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_BOGUS' },
      'tls_cipher_suites has a name etcd 3.4 does not know: "TLS_BOGUS"',
    ],
    [
      { tls_cipher_suites: 'tls_ecdhe_rsa_with_aes_128_gcm_sha256' },
      'tls_cipher_suites has a name etcd 3.4 does not know: "tls_ecdhe_rsa_with_aes_128_gcm_sha256"',
    ],
    [
      { tls_cipher_suites: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' },
      'tls_cipher_suites must include a suite for RSA keys',
    ],
    [{ port: 0 }, 'port must be an integer from 1 to 65535, got 0'],
    [{ management_port: 2379 }, 'port and management_port must differ, both are 2379'],
    [{ heartbeat_interval: 0 }, 'heartbeat_interval must be a positive integer (ms), got 0'],
    [{ election_timeout: 400 }, 'election_timeout must be at least 5 times heartbeat_interval'],
    [{ snapshot_count: 0 }, 'snapshot_count must be a positive integer, got 0'],
    [{ channel: '3.4/stable/x/y' }, 'channel must be auto or a snap channel'],
    [{ snapd_refresh: 'every day' }, 'snapd_refresh must be max, empty, or a snapd refresh.timer'],
    [{ 'install-source': 'apt' }, 'install-source must be one of auto, package, snap'],
  ])('%j blocks, naming the option, and changes nothing', async (config, message) => {
    const state = await running();
    const out = await harness.run({ ...state, config }, 'config-changed');
    expect(out.state.status?.kind).toBe('blocked');
    expect(out.state.status?.message).toMatch(/^Invalid config: /);
    expect(out.state.status?.message).toContain(message);
    expectUntouched(out, state);
    // Relation hooks meet the same check: nothing gets past it while the value stays.
    const later = await harness.run(
      { ...out.state },
      { kind: 'relation-changed', relationId: 2, remoteUnit: 'easyrsa/0' },
    );
    expect(later.state.status).toEqual(out.state.status);
    expect(later.machineCalls).toEqual([]);
  });

  it('an action refuses to run with bad config, touching nothing', async () => {
    const state = await running();
    const config = { tls_cipher_suites: 'RC4' };
    const out = await harness.runAction({ ...state, config }, 'health');
    expect(out.action?.failed).toMatch(
      /^Invalid config: tls_cipher_suites has a name etcd 3.4 does not know: "RC4"/,
    );
    expect(out.machineCalls).toEqual([]);
  });

  it('good suites (spaces after commas allowed) run the member with them', async () => {
    const suites = 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';
    const out = await harness.run({ ...alone, config: { tls_cipher_suites: suites } }, 'install');
    expect(out.state.status).toEqual({ kind: 'active', message: 'Healthy with 1 known peer' });
    expect(out.state.machine?.services?.['etcd']?.spec.command).toContain(
      '--cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    );
  });
});
