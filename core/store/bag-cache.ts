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
  data: Record<string, string>;
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

/** When each key of one bag last changed, as far as this cache saw: keys it never saw change
 * count as changed at `baseline`, the bag's version when tracking began. */
interface KeyVersions {
  baseline: number;
  keys: Map<string, number>;
  /** The keys' versions folded by addressee, for the last addressee function asked: a reader's
   * version is then two lookups, not a walk of every key (a CA's bag has two per requester). */
  folded?: Folded;
}

type Addressee = (key: string) => string | undefined;

interface Folded {
  addressee: Addressee;
  /** The last change to a key addressed to nobody. */
  shared: number;
  /** Addressee → the last change to a key addressed to it. */
  to: Map<string, number>;
}

function fold(keys: ReadonlyMap<string, number>, addressee: Addressee): Folded {
  const folded: Folded = { addressee, shared: 0, to: new Map() };
  for (const [key, at] of keys) {
    const to = addressee(key);
    if (to === undefined) folded.shared = Math.max(folded.shared, at);
    else folded.to.set(to, Math.max(folded.to.get(to) ?? 0, at));
  }
  return folded;
}

export class BagCache {
  private readonly relations = new Map<number, RelationBags>();
  /** Relation id → owner → its bag's key versions (interfaces with addressed keys read them).
   * Nested, not keyed by one string: a master's step asks for 1,000 workers' versions. */
  private readonly keyVersions = new Map<number, Map<string, KeyVersions>>();

  /**
   * The bag's version as `reader` counts it, who sees only keys addressed to nobody, to itself or
   * to the bag's owner: the last write that changed one of those, or the bag's version when this
   * cache began to track it (so a reader is never told less than it would be without tracking).
   */
  visibleVersion(relationId: number, owner: string, addressee: Addressee, reader: string): number {
    const version = this.relations.get(relationId)?.versions[owner];
    if (version === undefined) return 0;
    const tracked = this.keyVersions.get(relationId)?.get(owner);
    if (tracked === undefined) return version;
    if (tracked.folded?.addressee !== addressee) tracked.folded = fold(tracked.keys, addressee);
    const { shared, to } = tracked.folded;
    return Math.max(tracked.baseline, shared, to.get(reader) ?? 0, to.get(owner) ?? 0);
  }

  /** The relation's bags; `load` (its rows in owner order) runs only when they are not in
   * memory: the first read, or the first after a reset. */
  relation(relationId: number, load: () => BagRow[]): RelationBags {
    let bags = this.relations.get(relationId);
    if (!bags) {
      bags = build(load().map((r) => [r.owner, Object.freeze(r.data), r.version]));
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
    if (!bags) {
      this.keyVersions.get(relationId)?.delete(owner);
      return;
    }
    this.trackKeys(relationId, owner, bags.data[owner], bags.versions[owner], data, version);
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

  /** Which keys a write changed (added, changed or deleted), each now at `version`. */
  private trackKeys(
    relationId: number,
    owner: string,
    before: Bag | undefined,
    beforeVersion: number | undefined,
    data: Record<string, string>,
    version: number,
  ): void {
    let bags = this.keyVersions.get(relationId);
    if (bags === undefined)
      this.keyVersions.set(relationId, (bags = new Map<string, KeyVersions>()));
    let tracked = bags.get(owner);
    if (tracked === undefined) {
      tracked = { baseline: beforeVersion ?? 0, keys: new Map() };
      bags.set(owner, tracked);
    }
    tracked.folded = undefined;
    const old = before ?? {};
    for (const key of Object.keys(old)) {
      if (!Object.hasOwn(data, key) || data[key] !== old[key]) tracked.keys.set(key, version);
    }
    for (const key of Object.keys(data))
      if (!Object.hasOwn(old, key)) tracked.keys.set(key, version);
  }

  /** `DELETE FROM databags WHERE owner = ?`: the owner leaves every relation. */
  ownerRemoved(owner: string): void {
    for (const owners of this.keyVersions.values()) owners.delete(owner);
    for (const [id, bags] of this.relations) {
      if (!Object.hasOwn(bags.versions, owner)) continue;
      this.relations.set(id, build(entriesOf(bags).filter(([o]) => o !== owner)));
    }
  }

  /** `DELETE FROM databags WHERE relation_id = ?`. */
  relationRemoved(relationId: number): void {
    this.relations.delete(relationId);
    this.keyVersions.delete(relationId);
  }

  /** Forgets everything; the next reads come from the database. */
  reset(): void {
    this.relations.clear();
    this.keyVersions.clear();
  }
}
