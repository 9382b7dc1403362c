// rotate-ca across the chain, harness to harness, bags passed by hand: easyrsa → etcd,
// kubernetes-master, kubernetes-worker; etcd → kubernetes-master (its db client). Each step of
// easyrsa waits for every consumer's echo, and etcd echoes only once kube-apiserver took etcd's
// credentials of that step, so the old CA is dropped only when nobody presents or needs it.
import { describe, expect, it } from 'vitest';
import type { HarnessRelation, HarnessState } from '../../core/charm/index.js';
import * as ca from './easyrsa/fixtures.js';
import * as etcd from './etcd/fixtures.js';
import * as master from './kubernetes-master/fixtures.js';
import * as worker from './kubernetes-worker/fixtures.js';

const EASYRSA = { etcd: 1, master: 2, worker: 3 } as const;
const clientOf = (id: number, app: string, unit: string, address: string): HarnessRelation => ({
  id,
  endpoint: 'client',
  remoteApp: app,
  remoteUnits: { [unit]: { ...ca.serverRequest(address, [address]), ca_rotation_applied: 'none' } },
});

const local = (state: HarnessState, id: number) =>
  state.relations?.find((r) => r.id === id)?.local ?? {};
/** `state` with `remote`'s bag replaced on relation `id`. */
function fed(state: HarnessState, id: number, unit: string, bag: Record<string, string>) {
  const relations = state.relations?.map((r) =>
    r.id === id ? { ...r, remoteUnits: { ...r.remoteUnits, [unit]: bag } } : r,
  );
  return { ...state, ...(relations === undefined ? {} : { relations }) };
}
const changed = (relationId: number, remoteUnit: string) =>
  ({ kind: 'relation-changed', relationId, remoteUnit }) as const;

/** The four units, each a harness state; `step` runs one hook on one of them. */
class Chain {
  constructor(
    public easyrsa: HarnessState,
    public etcd: HarnessState,
    public master: HarnessState,
    public worker: HarnessState,
  ) {}

  phase = () => this.easyrsa.leaderSettings?.['ca-rotation'];

  /** Each consumer reads what easyrsa published for it and applies it. */
  async consumersRead(): Promise<void> {
    const e = fed(this.etcd, etcd.CERTS_ID, 'easyrsa/0', local(this.easyrsa, EASYRSA.etcd));
    this.etcd = (await ca.ok(etcd.harness.run(e, changed(etcd.CERTS_ID, 'easyrsa/0')))).state;
    await this.masterReads();
    const w = fed(this.worker, worker.REL.certificates, 'easyrsa/0', local(this.easyrsa, 3));
    const hook = changed(worker.REL.certificates, 'easyrsa/0');
    this.worker = (await ca.ok(worker.harness.run(w, hook))).state;
  }

  /** kubernetes-master reads easyrsa's bag and etcd's db bag. */
  async masterReads(): Promise<void> {
    let m = fed(this.master, master.REL.certificates, 'easyrsa/0', local(this.easyrsa, 2));
    m = fed(m, master.REL.etcd, 'etcd/0', local(this.etcd, etcd.DB_ID));
    const hook = changed(master.REL.etcd, 'etcd/0');
    this.master = (await ca.ok(master.harness.run(m, hook))).state;
  }

  /** etcd hears kubernetes-master's echo on db. */
  async etcdHearsMaster(): Promise<void> {
    const bag = local(this.master, master.REL.etcd);
    const e = fed(this.etcd, etcd.DB_ID, 'kubernetes-master/0', bag);
    const hook = changed(etcd.DB_ID, 'kubernetes-master/0');
    this.etcd = (await ca.ok(etcd.harness.run(e, hook))).state;
  }

  /** easyrsa hears one consumer's echo. */
  async easyrsaHears(which: keyof typeof EASYRSA): Promise<void> {
    const [state, unit, id] =
      which === 'etcd'
        ? [this.etcd, 'etcd/0', etcd.CERTS_ID]
        : which === 'master'
          ? [this.master, 'kubernetes-master/0', master.REL.certificates]
          : [this.worker, 'kubernetes-worker/0', worker.REL.certificates];
    const id2 = EASYRSA[which];
    const before = this.easyrsa.relations?.find((r) => r.id === id2)?.remoteUnits?.[unit] ?? {};
    const bag = { ...before, ca_rotation_applied: local(state, id)['ca_rotation_applied'] ?? '' };
    const e = fed(this.easyrsa, id2, unit, bag);
    this.easyrsa = (await ca.ok(ca.harness.run(e, changed(id2, unit)))).state;
  }
}

async function start(): Promise<Chain> {
  const installed = await ca.ok(ca.harness.run(ca.leader(), 'install'));
  const relations = [
    clientOf(EASYRSA.etcd, 'etcd', 'etcd/0', etcd.addressOf('etcd/0')),
    clientOf(EASYRSA.master, 'kubernetes-master', 'kubernetes-master/0', master.ADDRESS),
    clientOf(EASYRSA.worker, 'kubernetes-worker', 'kubernetes-worker/0', worker.ADDRESS),
  ];
  const served = await ca.ok(ca.harness.run({ ...installed.state, relations }, 'update-status'));
  const db: HarnessRelation = {
    id: etcd.DB_ID,
    endpoint: 'db',
    remoteApp: 'kubernetes-master',
    remoteUnits: { 'kubernetes-master/0': {} },
  };
  const alone = etcd.unitState('etcd/0', {
    leader: true,
    leaderSettings: { token: 'a'.repeat(32), client_urls: etcd.clientUrl('etcd/0') },
    stored: { member: { token: 'a'.repeat(32), initialCluster: 'x', state: 'existing' } },
    extraRelations: [db],
    run: {
      ...etcd.ownViewAnswers('etcd/0', [etcd.member('etcd/0')]),
      ...etcd.handoffProbe('etcd/0'),
    },
  });
  const chain = new Chain(served.state, alone, master.master(), worker.worker({ resources: [] }));
  await chain.consumersRead();
  await chain.etcdHearsMaster();
  await chain.masterReads();
  for (const which of ['etcd', 'master', 'worker'] as const) await chain.easyrsaHears(which);
  expect(chain.master.status?.kind).toBe('active');
  expect(chain.etcd.status?.kind).toBe('active');
  return chain;
}

describe('rotate-ca across easyrsa, etcd and the Kubernetes charms', () => {
  it('each step waits for every consumer, and etcd for kube-apiserver', async () => {
    const chain = await start();
    const oldCa = ca.caOf(chain.easyrsa);
    const started = await ca.ok(ca.harness.runAction(chain.easyrsa, 'rotate-ca'));
    chain.easyrsa = started.state;
    const newCa = started.action?.results['new-ca'] ?? '';
    const steps = ['trust-both', 'reissue', 'drop-old'] as const;

    for (const [i, step] of steps.entries()) {
      expect(chain.phase()).toBe(step);
      await chain.consumersRead();
      // etcd applied the step, but kube-apiserver has not yet taken etcd's credentials of it.
      expect(local(chain.etcd, etcd.DB_ID)['ca_rotation']).toMatch(new RegExp(`/${step}$`));
      expect(local(chain.etcd, etcd.CERTS_ID)['ca_rotation_applied']).not.toMatch(step);
      expect(chain.etcd.status?.message).toBe(
        'Waiting for kubernetes-master/0 to apply the CA rotation step',
      );
      await chain.easyrsaHears('etcd');
      await chain.easyrsaHears('master');
      expect(chain.phase()).toBe(step);

      await chain.masterReads();
      await chain.etcdHearsMaster();
      await chain.easyrsaHears('etcd');
      // The worker, blocked on its binaries, wrote its files but easyrsa has not heard yet:
      // it alone holds the next step.
      expect(chain.phase()).toBe(step);
      expect(chain.easyrsa.status?.message).toBe(
        `Rotating the CA (step ${step}): waiting for kubernetes-worker/0`,
      );
      await chain.easyrsaHears('worker');
      expect(chain.phase()).toBe(steps[i + 1]);
    }

    const files = chain.master.machine?.files ?? {};
    expect(files['/root/cdk/ca.crt']?.trim()).toBe(newCa.trim());
    expect(files['/root/cdk/etcd/client-ca.pem']?.trim()).toBe(newCa.trim());
    expect(ca.issuedBy(files['/root/cdk/etcd/client-cert.pem'], newCa)).toBe(true);
    expect(ca.issuedBy(files['/root/cdk/server.crt'], oldCa)).toBe(false);
    expect(chain.worker.machine?.files?.['/root/cdk/ca.crt']?.trim()).toBe(newCa.trim());
    expect(chain.etcd.machine?.files?.['/etc/etcd/tls/ca.crt']?.trim()).toBe(newCa.trim());
  });
});
