// checkOrdering: does each unit's recorded hook sequence keep DESIGN §6's ordering guarantees?
// Returns every violation with its rule, hooks and positions; never throws. Pure.
import type { Hook, RelationHook } from '../../core/charm/hooks.js';
import { hookName, isRelationHook } from '../../core/charm/hooks.js';
import { sameHook } from './state.js';

export type OrderingRule =
  /** New unit: install → relation-created* → leader-elected | leader-settings-changed →
   * config-changed → start; nothing else before start but -departed, -broken, remove (so no
   * stop without start). */
  | 'startup-order'
  /** install, start, stop, remove, and relation-created per relation, run at most once. */
  | 'once'
  /** No hook of a relation before its relation-created. */
  | 'created-first'
  /** -joined for U is followed by -changed for U before any other hook of that relation for U. */
  | 'joined-then-changed'
  /** No second -joined for a unit already joined. */
  | 'joined-once'
  /** -joined never follows -departed for the same unit. */
  | 'joined-after-departed'
  /** Unit -changed and -departed only for a joined unit. */
  | 'unit-not-joined'
  /** Every joined unit gets -departed before the relation's -broken. */
  | 'departed-before-broken'
  /** Nothing in a relation after its -broken. */
  | 'after-broken'
  /** A unit never gets hooks about itself (never -changed for its own writes). */
  | 'self-hook'
  /** A leader never gets -changed for its own application's bag in a peer relation: it is the
   * one writer of that bag. */
  | 'own-app-data'
  /** upgrade-charm is followed by config-changed. */
  | 'upgrade-then-config'
  /** Every created relation is broken before stop (or remove). */
  | 'broken-before-stop'
  /** After stop, only remove. */
  | 'after-stop'
  /** remove is the last hook ever. */
  | 'after-remove'
  /** update-status only while idle: never between a -joined and its -changed. */
  | 'update-status-idle';

export interface Violation {
  unit: string;
  rule: OrderingRule;
  /** Positions in the checked sequence: the offending hook first, then the hooks it conflicts
   * with. */
  positions: number[];
  /** The hooks at those positions, described as `db-relation-joined#1 mysql/0`. */
  hooks: string[];
  message: string;
}

export interface RecordedHook {
  unit: string;
  hook: Hook;
}

/** `install`, `db-relation-joined#1 mysql/0`, `db-relation-changed#1` (app data). */
export function describeHook(hook: Hook): string {
  if (!isRelationHook(hook)) return hookName(hook);
  const unit = hook.remoteUnit === undefined ? '' : ` ${hook.remoteUnit}`;
  return `${hookName(hook)}#${hook.relationId}${unit}`;
}

/** Checks each unit's hooks (in the order given, positions into `sequence`) separately. */
export function checkOrdering(sequence: readonly RecordedHook[]): Violation[] {
  const byUnit = new Map<string, { pos: number; hook: Hook }[]>();
  sequence.forEach(({ unit, hook }, pos) => {
    const list = byUnit.get(unit) ?? [];
    list.push({ pos, hook });
    byUnit.set(unit, list);
  });
  const violations: Violation[] = [];
  for (const [unit, entries] of byUnit) violations.push(...checkUnit(unit, entries));
  return violations.sort((a, b) => (a.positions[0] ?? 0) - (b.positions[0] ?? 0));
}

interface RelationTrack {
  createdAt: number | undefined;
  createdHook: Hook | undefined;
  /** Joined units → where -joined ran and whether its -changed has run since. */
  joined: Map<string, { pos: number; hook: Hook; changed: boolean }>;
  departed: Map<string, { pos: number; hook: Hook }>;
  broken: { pos: number; hook: Hook } | undefined;
  missingCreated: boolean;
}

/** Steps of the new-unit order (DESIGN §6), by hook kind. */
const STARTUP_STEP: Partial<Record<Hook['kind'], number>> = {
  install: 0,
  'relation-created': 1,
  'leader-elected': 2,
  'leader-settings-changed': 2,
  'config-changed': 3,
  start: 4,
};
/** What may come after each step (indexed by step + 1). */
const EXPECTED_AFTER = [
  'install',
  'relation-created, leader-elected or leader-settings-changed',
  'relation-created, leader-elected or leader-settings-changed',
  'config-changed',
  'start',
];
/** Allowed before start outside the new-unit order: a dying unit's teardown. */
const PRE_START_TEARDOWN = new Set<Hook['kind']>([
  'relation-departed',
  'relation-broken',
  'remove',
]);
const ONCE = new Set<Hook['kind']>(['install', 'start', 'stop', 'remove']);

function checkUnit(unit: string, entries: readonly { pos: number; hook: Hook }[]): Violation[] {
  const out: Violation[] = [];
  const add = (
    rule: OrderingRule,
    at: readonly { pos: number; hook: Hook }[],
    message: string,
  ): void => {
    out.push({
      unit,
      rule,
      positions: at.map((e) => e.pos),
      hooks: at.map((e) => describeHook(e.hook)),
      message: `${unit}: ${message}`,
    });
  };

  let step = -1;
  const once = new Map<Hook['kind'], { pos: number; hook: Hook }>();
  const rels = new Map<number, RelationTrack>();
  let upgrade: { pos: number; hook: Hook } | undefined;
  let previous: Hook | undefined;
  /** Since the last leader hook: leader-elected (leads) or leader-settings-changed (follows). */
  let leading: { pos: number; hook: Hook } | undefined;
  const application = unit.slice(0, unit.indexOf('/'));

  for (const entry of entries) {
    const { hook } = entry;
    const name = describeHook(hook);
    // At least once (DESIGN §6): a retried or re-run hook repeats back to back; it counts once.
    if (previous && sameHook(previous, hook)) continue;
    previous = hook;

    const removed = once.get('remove');
    if (removed) {
      add('after-remove', [entry, removed], `${name} after remove, which must be the last hook`);
      continue;
    }
    const stopped = once.get('stop');
    if (stopped && hook.kind !== 'remove') {
      add('after-stop', [entry, stopped], `${name} after stop; only remove may follow`);
    }

    if (upgrade) {
      if (hook.kind !== 'config-changed') {
        add(
          'upgrade-then-config',
          [entry, upgrade],
          `${name} after upgrade-charm, before its config-changed`,
        );
      }
      upgrade = undefined;
    }
    if (hook.kind === 'upgrade-charm') upgrade = entry;

    if (ONCE.has(hook.kind)) {
      const first = once.get(hook.kind);
      if (first) {
        add('once', [entry, first], `${name} ran again`);
        continue;
      }
      once.set(hook.kind, entry);
    }

    // New unit order, until start.
    if (step < 4) {
      const s = STARTUP_STEP[hook.kind];
      if (s === undefined) {
        // A dying unit tears down before start; one that never installed only gets remove.
        const teardown = step < 0 ? hook.kind === 'remove' : PRE_START_TEARDOWN.has(hook.kind);
        if (!teardown) {
          const expected = EXPECTED_AFTER[step + 1] ?? 'start';
          add('startup-order', [entry], `${name} before start; expected ${expected}`);
        }
      } else {
        const ok = s === step + 1 || (s === 1 && step === 1) || (s === 2 && step === 0);
        if (!ok) {
          const expected = EXPECTED_AFTER[step + 1] ?? 'start';
          add('startup-order', [entry], `${name} out of the new-unit order; expected ${expected}`);
        }
        if (s > step) step = s;
      }
    }

    if (hook.kind === 'stop' || (hook.kind === 'remove' && !stopped)) {
      for (const [id, rel] of rels) {
        if (rel.createdAt !== undefined && rel.createdHook && !rel.broken) {
          add(
            'broken-before-stop',
            [entry, { pos: rel.createdAt, hook: rel.createdHook }],
            `${name} while relation ${id} is not broken`,
          );
        }
      }
    }
    if (hook.kind === 'update-status') {
      for (const rel of rels.values()) {
        for (const [u, j] of rel.joined) {
          if (!j.changed) {
            add(
              'update-status-idle',
              [entry, j],
              `update-status between -joined and -changed of ${u}`,
            );
          }
        }
      }
    }

    if (hook.kind === 'leader-elected') leading = entry;
    if (hook.kind === 'leader-settings-changed') leading = undefined;
    if (
      leading &&
      hook.kind === 'relation-changed' &&
      hook.remoteUnit === undefined &&
      hook.remoteApp === application
    ) {
      add('own-app-data', [entry, leading], `${name} for the bag this leader writes itself`);
    }

    if (isRelationHook(hook)) checkRelationHook(unit, entry, hook, rels, add);
  }
  return out;
}

function checkRelationHook(
  unit: string,
  entry: { pos: number; hook: Hook },
  hook: RelationHook,
  rels: Map<number, RelationTrack>,
  add: (rule: OrderingRule, at: readonly { pos: number; hook: Hook }[], message: string) => void,
): void {
  const name = describeHook(hook);
  const u = hook.remoteUnit;
  if (u === unit) add('self-hook', [entry], `${name} is about the unit itself`);

  let rel = rels.get(hook.relationId);
  if (!rel) {
    rel = {
      createdAt: undefined,
      createdHook: undefined,
      joined: new Map(),
      departed: new Map(),
      broken: undefined,
      missingCreated: false,
    };
    rels.set(hook.relationId, rel);
  }
  if (rel.broken) {
    add('after-broken', [entry, rel.broken], `${name} after the relation's -broken`);
    return;
  }
  if (hook.kind === 'relation-created') {
    if (rel.createdAt !== undefined && rel.createdHook) {
      add('once', [entry, { pos: rel.createdAt, hook: rel.createdHook }], `${name} ran again`);
    } else {
      rel.createdAt = entry.pos;
      rel.createdHook = hook;
    }
    return;
  }
  if (rel.createdAt === undefined && !rel.missingCreated) {
    // Reported once per relation: every later hook of it would repeat the same fault.
    rel.missingCreated = true;
    add('created-first', [entry], `${name} before relation-created of relation ${hook.relationId}`);
  }

  switch (hook.kind) {
    case 'relation-joined': {
      if (u === undefined) return;
      const departed = rel.departed.get(u);
      const joined = rel.joined.get(u);
      if (departed) {
        add('joined-after-departed', [entry, departed], `${name} after ${u} departed`);
      } else if (joined) {
        add('joined-once', [entry, joined], `${name} while ${u} is already joined`);
      } else {
        rel.joined.set(u, { ...entry, changed: false });
      }
      return;
    }
    case 'relation-changed': {
      if (u === undefined) return; // app databag: no unit to have joined
      const joined = rel.joined.get(u);
      if (joined) joined.changed = true;
      else add('unit-not-joined', [entry], `${name} for ${u}, which is not joined`);
      return;
    }
    case 'relation-departed': {
      if (u === undefined) return;
      const joined = rel.joined.get(u);
      if (!joined) {
        add('unit-not-joined', [entry], `${name} for ${u}, which is not joined`);
        return;
      }
      if (!joined.changed) {
        add(
          'joined-then-changed',
          [entry, joined],
          `${name} before -changed for ${u} after -joined`,
        );
      }
      rel.joined.delete(u);
      rel.departed.set(u, entry);
      return;
    }
    case 'relation-broken': {
      for (const [other, joined] of rel.joined) {
        add('departed-before-broken', [entry, joined], `${name} while ${other} has not departed`);
      }
      rel.broken = entry;
      return;
    }
  }
}
