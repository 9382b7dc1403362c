// Model-level duties the controller performs for unit agents (DESIGN §6): a subordinate unit
// beside each principal unit that a container-scoped relation joins it to, and the removal of
// what dying left behind. Leadership is in leadership.ts.
import type { Store } from '../store/types.js';

export function ensureSubordinates(store: Store): string[] {
  const added: string[] = [];
  // Most passes find no container relation at all: then there is nothing to write.
  if (
    !store
      .relations()
      .some((r) => r.life === 'alive' && r.endpoints.some((e) => e.scope === 'container'))
  ) {
    return added;
  }
  store.transaction(() => {
    const apps = new Map(store.applications().map((a) => [a.name, a]));
    for (const relation of store.relations()) {
      if (relation.life !== 'alive' || relation.endpoints.length !== 2) continue;
      if (!relation.endpoints.some((e) => e.scope === 'container')) continue;
      const sub = relation.endpoints.find((e) => apps.get(e.application)?.subordinate);
      const principal = relation.endpoints.find((e) => e !== sub);
      if (!sub || !principal || apps.get(principal.application)?.subordinate) continue;
      const units = store.unitIndex();
      // Indexed once: looked up per principal, a scan made every pass quadratic in the model.
      const served = new Set(
        units.filter((u) => u.application === sub.application).map((u) => u.principal),
      );
      for (const p of units.filter(
        (u) => u.application === principal.application && u.life === 'alive',
      )) {
        if (served.has(p.name)) continue;
        const number = store.application(sub.application)?.nextUnitNumber ?? 0;
        const name = `${sub.application}/${number}`;
        store.addUnit({ name, machine: p.machine, principal: p.name });
        added.push(name);
      }
    }
  });
  return added;
}

/**
 * Removes what dying left behind: a dying relation once every unit that entered it has run
 * -broken, and a dying application once its units and relations are gone (DESIGN §6 life).
 */
export function collectDead(
  store: Store,
  /** Whether the unit entered the relation and has not yet run -broken (the unit agent knows). */
  inRelation: (unit: string, relationId: number) => boolean,
): string[] {
  const removed: string[] = [];
  const dying =
    store.relations().some((r) => r.life !== 'alive') ||
    store.applications().some((a) => a.life !== 'alive');
  if (!dying) return removed;
  store.transaction(() => {
    const units = store.unitIndex();
    for (const relation of store.relations().filter((r) => r.life !== 'alive')) {
      const apps = new Set(relation.endpoints.map((e) => e.application));
      const pending = units.some((u) => apps.has(u.application) && inRelation(u.name, relation.id));
      if (pending) continue;
      store.removeRelation(relation.id);
      removed.push(`relation ${relation.id}`);
    }
    const relations = store.relations();
    for (const app of store.applications().filter((a) => a.life !== 'alive')) {
      if (units.some((u) => u.application === app.name)) continue;
      if (relations.some((r) => r.endpoints.some((e) => e.application === app.name))) continue;
      store.removeApplication(app.name);
      removed.push(`application ${app.name}`);
    }
  });
  return removed;
}
