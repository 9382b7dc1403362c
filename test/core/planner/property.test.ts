// Properties of plan() over random valid bundles and the models older bundles leave behind:
// well-formed and topologically ordered, deterministic, faithful to placements, and idempotent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type {
  BundleApplication,
  ResolvedBundle,
  UnitPlacement,
} from '../../../core/bundle/types.js';
import { EMPTY_MODEL, type ModelSnapshot, relationKey } from '../../../core/model/types.js';
import { applyPlan, plan } from '../../../core/planner/index.js';
import { app, bundle, rel, reversedKeys, shapeProblems } from './helpers.js';

const NAMES = ['etcd', 'easyrsa', 'flannel', 'kubernetes-master', 'kubernetes-worker', 'ceph', 'a'];

const placementSpec = fc.record({
  kind: fc.constantFrom('default', 'new', 'machine', 'unit'),
  pick: fc.nat(),
  index: fc.nat(),
  lxd: fc.boolean(),
});

const appSpec = fc.record({
  units: fc.nat({ max: 4 }),
  subordinate: fc.nat({ max: 5 }).map((n) => n === 0),
  rank: fc.nat({ max: 5 }),
  to: fc.array(placementSpec, { maxLength: 4 }),
  charm: fc.constantFrom('x', 'y'),
  options: fc.dictionary(
    fc.constantFrom('p', 'q', 'r', 's'),
    fc.oneof(fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 2 }), fc.boolean()),
  ),
  constraints: fc.constantFrom('', 'mem=4G', 'cores=2'),
  expose: fc.boolean(),
});

const bundleSpec = fc.record({
  apps: fc.array(appSpec, { minLength: 1, maxLength: NAMES.length }),
  machines: fc.nat({ max: 4 }),
  relations: fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('db', 'certs')), {
    maxLength: 10,
  }),
});
type BundleSpec = typeof bundleSpec extends fc.Arbitrary<infer T> ? T : never;

/** A valid bundle: "beside" targets only point at apps of lower (rank, position), so no cycles. */
function build(spec: BundleSpec): ResolvedBundle {
  const order = spec.apps.map((a, i) => ({
    ...a,
    name: NAMES[i] ?? `app${i}`,
    key: a.rank * 100 + i,
  }));
  const apps: BundleApplication[] = order.map((a) => {
    const units = a.subordinate ? 0 : a.units;
    const hosts = order.filter((h) => h.key < a.key && !h.subordinate && h.units > 0);
    const placements: UnitPlacement[] = [];
    for (let i = 0; i < units; i++) {
      const p = a.to[i];
      const lxd = p?.lxd ? 'lxd:' : '';
      const container = p?.lxd ? { container: 'lxd' } : {};
      const host = hosts[(p?.pick ?? 0) % Math.max(hosts.length, 1)];
      if (!p || p.kind === 'default') placements.push({ target: { kind: 'new' } });
      else if (p.kind === 'machine' && spec.machines > 0) {
        const machine = String(p.pick % spec.machines);
        placements.push({
          target: { kind: 'machine', machine },
          directive: `${lxd}${machine}`,
          ...container,
        });
      } else if (p.kind === 'unit' && host) {
        const index = p.index % host.units;
        const target = { kind: 'unit' as const, application: host.name, index };
        placements.push({ target, directive: `${lxd}${host.name}/${index}`, ...container });
      } else placements.push({ target: { kind: 'new' }, directive: `${lxd}new`, ...container });
    }
    const { charm, options, constraints, expose, subordinate } = a;
    const base = app(a.name, { charm, units, subordinate, options, constraints, expose });
    return { ...base, placements };
  });
  const machines = Object.fromEntries(
    Array.from({ length: spec.machines }, (_, m) => [m, `mem=${m}G`]),
  );
  const seen = new Set<string>();
  const relations = spec.relations.flatMap(([i, j, ep]) => {
    const a = apps[i % apps.length];
    const b = apps[j % apps.length];
    if (!a || !b || a === b) return [];
    const r = rel(`${a.name}:${ep}`, `${b.name}:${ep}`);
    const key = relationKey(r.endpoints);
    if (seen.has(key)) return [];
    seen.add(key);
    return [r];
  });
  return bundle(apps, machines, relations);
}

/** What an older version of the bundle may have differed in: units, options, charm, relations. */
const olderSpec = fc.record({
  units: fc.array(fc.nat({ max: 6 }), { minLength: NAMES.length, maxLength: NAMES.length }),
  charm: fc.array(fc.boolean(), { minLength: NAMES.length, maxLength: NAMES.length }),
  optionTweak: fc.nat({ max: 3 }),
  keepRelation: fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
  extraMachines: fc.nat({ max: 3 }),
});
type OlderSpec = typeof olderSpec extends fc.Arbitrary<infer T> ? T : never;

/** The model an older bundle left: a valid variant of `b`, planned and applied from nothing. */
function olderModel(b: ResolvedBundle, spec: OlderSpec): ModelSnapshot {
  const counts = new Map(
    b.applications.map((a, i) => [a.name, a.subordinate ? 0 : (spec.units[i] ?? 0)]),
  );
  const applications = b.applications.map((a, i): BundleApplication => {
    const numUnits = counts.get(a.name) ?? 0;
    const placements = Array.from({ length: numUnits }, (_, u): UnitPlacement => {
      const p = a.placements[u];
      const t = p?.target;
      if (!p || (t?.kind === 'unit' && t.index >= (counts.get(t.application) ?? 0))) {
        return { target: { kind: 'new' } };
      }
      return p;
    });
    const options = Object.fromEntries(
      Object.entries(a.options).map(([k, v], n) => [
        k,
        n === spec.optionTweak ? `old-${String(v)}` : v,
      ]),
    );
    const charm = spec.charm[i] ? `${a.charm}-old` : a.charm;
    return { ...a, charm, numUnits, placements, options, expose: a.expose && !!spec.charm[i] };
  });
  const relations = b.relations.filter((_, i) => spec.keepRelation[i % 10]);
  const older: ResolvedBundle = { applications, machines: b.machines, relations };
  const after = applyPlan(EMPTY_MODEL, plan(older, EMPTY_MODEL));
  return { ...after, nextMachineId: after.nextMachineId + spec.extraMachines };
}

/** Once applied, each application has its units; a unit beside another shares its machine, and
 * all units placed on one bundle machine share one model machine. */
function placementProblems(
  b: ResolvedBundle,
  before: ModelSnapshot,
  after: ModelSnapshot,
): string[] {
  const unitsOf = (m: ModelSnapshot, application: string) =>
    Object.values(m.units)
      .filter((u) => u.application === application)
      .sort((x, y) => Number(x.name.split('/')[1]) - Number(y.name.split('/')[1]));
  const problems: string[] = [];
  const machineOf = new Map<string, string>();
  for (const a of b.applications) {
    const units = unitsOf(after, a.name);
    for (let i = 0; i < Math.min(units.length, a.numUnits); i++) {
      const t = a.placements[i]?.target;
      const machine = units[i]?.machine ?? '';
      if (t?.kind !== 'machine') continue;
      const seen = machineOf.get(t.machine) ?? machine;
      if (seen !== machine) problems.push(`bundle machine ${t.machine} is ${seen} and ${machine}`);
      machineOf.set(t.machine, seen);
    }
  }
  for (const a of b.applications) {
    const had = unitsOf(before, a.name).length;
    const now = unitsOf(after, a.name);
    if (now.length !== Math.max(had, a.numUnits))
      problems.push(`${a.name} has ${now.length} units`);
    for (let i = had; i < a.numUnits; i++) {
      const t = a.placements[i]?.target;
      if (t?.kind !== 'unit') continue;
      const host = unitsOf(after, t.application)[t.index];
      if (host?.machine !== now[i]?.machine) {
        problems.push(`${now[i]?.name} on ${now[i]?.machine}, not beside ${host?.name}`);
      }
    }
  }
  return problems;
}

describe('plan properties', () => {
  it('from nothing: well formed, ordered, faithful, deterministic and idempotent', () => {
    fc.assert(
      fc.property(bundleSpec, (spec) => {
        const b = build(spec);
        const changes = plan(b, EMPTY_MODEL);
        expect(shapeProblems(changes)).toEqual([]);
        expect(JSON.stringify(plan(reversedKeys(b), EMPTY_MODEL))).toBe(JSON.stringify(changes));
        const after = applyPlan(EMPTY_MODEL, changes);
        expect(placementProblems(b, EMPTY_MODEL, after)).toEqual([]);
        expect(plan(b, after)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('from an older bundle’s model: the same, and only what is missing', () => {
    fc.assert(
      fc.property(bundleSpec, olderSpec, (spec, older) => {
        const b = build(spec);
        const before = olderModel(b, older);
        const changes = plan(b, before);
        expect(shapeProblems(changes)).toEqual([]);
        expect(JSON.stringify(plan(reversedKeys(b), reversedKeys(before)))).toBe(
          JSON.stringify(changes),
        );
        expect(changes.filter((c) => c.kind === 'deploy')).toEqual([]);
        const after = applyPlan(before, changes);
        expect(placementProblems(b, before, after)).toEqual([]);
        expect(plan(b, after)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
