// Databags kept in memory per relation, because every unit agent step reads its relations' version
// maps and every hook their bags: O(N) rows parsed per read made store reads dominate at a few
// hundred units. The controller is the store's only writer (DESIGN §3), so the copy here can be
// kept exact by the writer itself: SqliteModel tells the cache about every databag write and
// delete, and drops the whole cache when a transaction fails (see SqliteModel.transaction).
//
// What is handed out is shared and frozen, so a read is O(1) and a caller that tries to edit what
// it got fails loudly instead of silently changing what every other reader sees.

export type Bag = Readonly<Record<string, string>>;

/** One relation's bags: owner → data and owner → version, the same owners in both. */
export interface RelationBags {
  readonly data: Readonly<Record<string, Bag>>;
  readonly versions: Readonly<Record<string, number>>;
}

export interface BagRow {
  owner: string;
  data: string;
  version: number;
}

const entriesOf = (bags: RelationBags): [string, Bag, number][] =>
  Object.keys(bags.versions).map((o) => [o, bags.data[o] ?? {}, bags.versions[o] ?? 0]);

// fromEntries rather than assignment: an owner is data, never a prototype (`__proto__`).
function build(entries: readonly (readonly [string, Bag, number])[]): RelationBags {
  return Object.freeze({
    data: Object.freeze(Object.fromEntries(entries.map(([owner, bag]) => [owner, bag]))),
    versions: Object.freeze(Object.fromEntries(entries.map(([owner, , v]) => [owner, v]))),
  });
}

export class BagCache {
  private readonly relations = new Map<number, RelationBags>();

  /** The relation's bags; `load` (its rows in owner order) runs only when they are not in
   * memory: the first read, or the first after a reset. */
  relation(relationId: number, load: () => BagRow[]): RelationBags {
    let bags = this.relations.get(relationId);
    if (!bags) {
      bags = build(
        load().map((r) => [
          r.owner,
          Object.freeze(JSON.parse(r.data) as Record<string, string>),
          r.version,
        ]),
      );
      this.relations.set(relationId, bags);
    }
    return bags;
  }

  /** The relation's bags if they are in memory; undefined means "ask the database". */
  peek(relationId: number): RelationBags | undefined {
    return this.relations.get(relationId);
  }

  /** A bag row was inserted or replaced. Copy-on-write: readers holding the previous maps keep
   * seeing a consistent (older) relation, as they would with rows they had already read. */
  written(relationId: number, owner: string, data: Record<string, string>, version: number): void {
    const bags = this.relations.get(relationId);
    if (!bags) return;
    const bag = Object.freeze({ ...data });
    if (Object.hasOwn(bags.versions, owner)) {
      this.relations.set(
        relationId,
        Object.freeze({
          data: Object.freeze({ ...bags.data, [owner]: bag }),
          versions: Object.freeze({ ...bags.versions, [owner]: version }),
        }),
      );
      return;
    }
    // A new owner: keep the owner order the database query gives, so a cached read and a fresh
    // one are the same object key for key, in the same order.
    const entries = entriesOf(bags);
    entries.push([owner, bag, version]);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.relations.set(relationId, build(entries));
  }

  /** `DELETE FROM databags WHERE owner = ?`: the owner leaves every relation. */
  ownerRemoved(owner: string): void {
    for (const [id, bags] of this.relations) {
      if (!Object.hasOwn(bags.versions, owner)) continue;
      this.relations.set(id, build(entriesOf(bags).filter(([o]) => o !== owner)));
    }
  }

  /** `DELETE FROM databags WHERE relation_id = ?`. */
  relationRemoved(relationId: number): void {
    this.relations.delete(relationId);
  }

  /** Forgets everything; the next reads come from the database. */
  reset(): void {
    this.relations.clear();
  }
}
