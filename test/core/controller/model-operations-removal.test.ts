// The model verbs that relate and remove (DESIGN §6 life, §10): relate with endpoint inference,
// remove-relation, remove-unit and remove-application; life moves to dying (or, with --force,
// the units go at once), and a refused request changes nothing and says why.
import { afterEach, describe, expect, it } from 'vitest';
import { ModelRequestError } from '../../../core/controller/model-operations.js';
import { ensureSubordinates } from '../../../core/controller/unit-reconcile.js';
import { ApplicationNotFoundError } from '../../../core/store/errors.js';
import { K8S, refused, removeTestDirs, setup } from './model-operations-setup.js';

afterEach(removeTestDirs);

/** Charmed Kubernetes' applications, deployed without any relation. */
async function unrelated() {
  const m = setup();
  const apps = ['easyrsa', 'etcd', 'flannel', 'kubernetes-master', 'kubernetes-worker'];
  const bundle = m.file(
    'unrelated.yaml',
    'applications:\n' +
      apps.map((a) => `  ${a}: {charm: ${a}, num_units: ${a === 'flannel' ? 0 : 1}}\n`).join(''),
  );
  await m.ops.deploy(bundle, []);
  return m;
}

/** kubernetes-core deployed, with the flannel units the runner's pass would add. */
async function k8s() {
  const m = setup();
  await m.ops.deploy(K8S, []);
  ensureSubordinates(m.store);
  return m;
}

const life = (m: ReturnType<typeof setup>) =>
  Object.fromEntries(m.store.units().map((u) => [u.name, u.life]));
const relations = (m: ReturnType<typeof setup>) =>
  m.store
    .relations()
    .filter((r) => r.endpoints.length === 2)
    .map((r) => `${r.endpoints.map((e) => `${e.application}:${e.name}`).join(' - ')} ${r.life}`);

describe('relate', () => {
  it('infers the endpoints, records the provider first, and wakes the runner', async () => {
    const m = await unrelated();
    const wakes = m.calls.wakes;
    expect(m.ops.relate('etcd', 'easyrsa')).toBe('easyrsa:client - etcd:certificates');
    expect(m.ops.relate('flannel', 'kubernetes-worker')).toBe(
      'kubernetes-worker:cni - flannel:cni',
    );
    expect(m.ops.relate('kubernetes-master:etcd', 'etcd:db')).toBe(
      'etcd:db - kubernetes-master:etcd',
    );
    expect(relations(m)).toEqual([
      'easyrsa:client - etcd:certificates alive',
      'kubernetes-worker:cni - flannel:cni alive',
      'etcd:db - kubernetes-master:etcd alive',
    ]);
    expect(m.calls.wakes).toBe(wakes + 3);
  });

  it('refuses an ambiguous pair, listing the candidates', async () => {
    const m = await unrelated();
    await refused(
      m,
      () => m.ops.relate('kubernetes-master', 'kubernetes-worker'),
      ModelRequestError,
      /ambiguous relation "kubernetes-master" and "kubernetes-worker": name the endpoints, candidates: kubernetes-master:kube-api-endpoint - kubernetes-worker:kube-api-endpoint, kubernetes-master:kube-control - kubernetes-worker:kube-control/,
    );
  });

  it('refuses unknown applications and endpoints, impossible pairs, and a relation twice', async () => {
    const m = await unrelated();
    await refused(m, () => m.ops.relate('etcd', 'nope'), ModelRequestError, /"nope"/);
    await refused(
      m,
      () => m.ops.relate('etcd:nope', 'easyrsa'),
      ModelRequestError,
      /application etcd \(charm etcd\) has no endpoint "nope"; its endpoints: certificates, cluster, db/,
    );
    await refused(
      m,
      () => m.ops.relate('easyrsa', 'kubernetes-worker:kube-control'),
      ModelRequestError,
      /cannot relate "easyrsa" and "kubernetes-worker:kube-control"/,
    );
    m.ops.relate('etcd', 'easyrsa');
    await refused(
      m,
      () => m.ops.relate('easyrsa:client', 'etcd'),
      ModelRequestError,
      /^relation easyrsa:client - etcd:certificates already exists$/,
    );
  });

  it('refuses an application that is being removed', async () => {
    const m = await unrelated();
    m.ops.removeApplication('easyrsa', false);
    await refused(m, () => m.ops.relate('etcd', 'easyrsa'), ModelRequestError, /"easyrsa"/);
  });
});

describe('removeRelation', () => {
  it('finds the relation from either side, marks it dying, and refuses it a second time', async () => {
    const m = await k8s();
    expect(m.ops.removeRelation('easyrsa', 'etcd')).toBe('easyrsa:client - etcd:certificates');
    expect(relations(m)).toContain('easyrsa:client - etcd:certificates dying');
    await refused(
      m,
      () => m.ops.removeRelation('etcd', 'easyrsa'),
      ModelRequestError,
      /^no relation between "etcd" and "easyrsa"; rune status --relations lists them$/,
    );
  });

  it('refuses two applications related twice until the endpoints are named', async () => {
    const m = await k8s();
    await refused(
      m,
      () => m.ops.removeRelation('kubernetes-master', 'kubernetes-worker'),
      ModelRequestError,
      /^ambiguous: name the endpoints, one of: kubernetes-master:kube-api-endpoint - kubernetes-worker:kube-api-endpoint, kubernetes-master:kube-control - kubernetes-worker:kube-control$/,
    );
    expect(m.ops.removeRelation('kubernetes-worker', 'kubernetes-master:kube-control')).toBe(
      'kubernetes-master:kube-control - kubernetes-worker:kube-control',
    );
    expect(relations(m)).toContain(
      'kubernetes-master:kube-api-endpoint - kubernetes-worker:kube-api-endpoint alive',
    );
  });

  it('takes away the subordinates a container relation placed, and only those', async () => {
    const m = await k8s();
    const beside = (principal: string) =>
      m.store.units('flannel').find((u) => u.principal === principal)?.name ?? '';
    const [onWorker, onMaster] = [beside('kubernetes-worker/0'), beside('kubernetes-master/0')];
    m.ops.removeRelation('flannel:cni', 'kubernetes-worker');
    expect(life(m)).toMatchObject({ [onWorker]: 'dying', [onMaster]: 'alive' });
    expect(life(m)['kubernetes-worker/0']).toBe('alive');
  });
});

describe('removeUnits', () => {
  it('refuses the whole request if one unit is unknown or a subordinate, naming each', async () => {
    const m = await k8s();
    await refused(
      m,
      () => m.ops.removeUnits(['etcd/0', 'etcd/7', 'flannel/0'], false),
      ModelRequestError,
      /^unit etcd\/7 not found; unit flannel\/0 is a subordinate: remove its relation or its principal kubernetes-(master|worker)\/0; rune status lists the units$/,
    );
  });

  it('marks the units dying with their subordinates, leaving the others alone', async () => {
    const m = await k8s();
    m.ops.removeUnits(['kubernetes-worker/0'], false);
    const sub = m.store.units('flannel').find((u) => u.principal === 'kubernetes-worker/0');
    expect(life(m)).toMatchObject({
      'kubernetes-worker/0': 'dying',
      [sub?.name ?? '?']: 'dying',
      'kubernetes-master/0': 'alive',
      'etcd/0': 'alive',
    });
  });

  it('with --force, removes them and their subordinates at once, and the leadership they held', async () => {
    const m = await k8s();
    m.store.setLeader('kubernetes-worker', 'kubernetes-worker/0', Date.now() + 30_000);
    m.ops.removeUnits(['kubernetes-worker/0'], true);
    expect(m.store.unit('kubernetes-worker/0')).toBeUndefined();
    expect(m.store.units('flannel').map((u) => u.principal)).toEqual(['kubernetes-master/0']);
    expect(m.store.leader('kubernetes-worker')).toBeUndefined();
  });
});

describe('removeApplication', () => {
  it('refuses an unknown application', async () => {
    const m = await k8s();
    await refused(
      m,
      () => m.ops.removeApplication('nope', false),
      ApplicationNotFoundError,
      /"nope"/,
    );
  });

  it('marks the application, its relations and its units dying, with their subordinates', async () => {
    const m = await k8s();
    m.ops.removeApplication('kubernetes-worker', false);
    expect(m.store.application('kubernetes-worker')?.life).toBe('dying');
    const touching = relations(m).filter((r) => r.includes('kubernetes-worker:'));
    expect(touching).toHaveLength(4);
    expect(touching.every((r) => r.endsWith(' dying'))).toBe(true);
    const others = relations(m).filter((r) => !r.includes('kubernetes-worker:'));
    expect(others.every((r) => r.endsWith(' alive'))).toBe(true);
    const sub = m.store.units('flannel').find((u) => u.principal === 'kubernetes-worker/0');
    expect(life(m)).toMatchObject({ 'kubernetes-worker/0': 'dying', [sub?.name ?? '?']: 'dying' });
    expect(m.store.application('flannel')?.life).toBe('alive');
  });

  it('takes a subordinate application’s units with it, leaving their principals', async () => {
    const m = await k8s();
    m.ops.removeApplication('flannel', false);
    expect(m.store.units('flannel').map((u) => u.life)).toEqual(['dying', 'dying']);
    expect(life(m)).toMatchObject({
      'kubernetes-master/0': 'alive',
      'kubernetes-worker/0': 'alive',
    });
  });

  it('with --force, removes its units at once', async () => {
    const m = await k8s();
    m.ops.removeApplication('etcd', true);
    expect(m.store.units('etcd')).toEqual([]);
    expect(m.store.application('etcd')?.life).toBe('dying');
  });
});
