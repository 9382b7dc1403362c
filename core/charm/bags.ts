// Databag views for the hook context: read-only bags, and buffered bags whose writes stay in the
// hook until it returns (DESIGN §6). Pure: no I/O; the runtime commits what `changes()` reports.
import { RelationDataError } from './hook-errors.js';

/** A databag as stored: string → string. */
export type Bag = Readonly<Record<string, string>>;

/** Net changes to one bag: a string sets the key, null deletes it. */
export type BagWrites = Record<string, string | null>;

export interface ReadBag {
  get(key: string): string | undefined;
  /** Keys present, sorted. */
  keys(): string[];
  /** A copy of the whole bag (as this hook sees it). */
  toObject(): Record<string, string>;
  /**
   * The whole bag as this hook sees it, frozen and not copied: for reading a large bag (a
   * master's holds a key per worker) without the cost of a copy on every hook.
   */
  view(): Readonly<Record<string, string>>;
}

export interface WriteBag extends ReadBag {
  /** Buffered until the hook returns; writing `""` deletes the key, as Juju does. */
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** One reader per frozen bag: it holds nothing of a hook's, so hooks share it, and a master's
 * hook reading 1,000 workers' bags makes none while they are unchanged. */
const readers = new WeakMap<Bag, ReadBag>();

export function readBag(data: Bag): ReadBag {
  // The store hands out frozen bags (bag-cache.ts), which nothing can change under the hook: a
  // principal's hook sees 1,000 remote bags, and copying each was most of building its context.
  if (!Object.isFrozen(data)) return reader(Object.freeze({ ...data }));
  let found = readers.get(data);
  if (found === undefined) readers.set(data, (found = reader(data)));
  return found;
}

function reader(copy: Bag): ReadBag {
  return {
    get: (key) => copy[key],
    keys: () => Object.keys(copy).sort(),
    toObject: () => ({ ...copy }),
    view: () => copy,
  };
}

export interface BufferedBagOptions {
  /** `endpoint:id`, for error messages. */
  relation: string;
  /** The writing unit, for error messages. */
  unit: string;
  /** Throws when a write is not allowed now (follower on the app bag, hook already returned). */
  guard: (key: string) => void;
}

/** A bag that reads through its pending writes, and reports its net changes against the base. */
export class BufferedBag implements WriteBag {
  private readonly base: Record<string, string>;
  private readonly pending = new Map<string, string | null>();

  constructor(
    base: Bag,
    private readonly options: BufferedBagOptions,
  ) {
    this.base = { ...base };
  }

  get(key: string): string | undefined {
    if (this.pending.has(key)) return this.pending.get(key) ?? undefined;
    return this.base[key];
  }

  keys(): string[] {
    return Object.keys(this.toObject()).sort();
  }

  /** A frozen copy: the bag changes with this hook's writes, so it cannot be shared as is. */
  view(): Readonly<Record<string, string>> {
    return Object.freeze(this.toObject());
  }

  toObject(): Record<string, string> {
    const out: Record<string, string> = { ...this.base };
    for (const [key, value] of this.pending) {
      if (value === null) delete out[key];
      else out[key] = value;
    }
    return out;
  }

  set(key: string, value: string): void {
    this.check(key, value);
    this.options.guard(key);
    this.pending.set(key, value === '' ? null : value);
  }

  delete(key: string): void {
    this.check(key, '');
    this.options.guard(key);
    this.pending.set(key, null);
  }

  /** Only what differs from the base: setting a key to its value, or deleting an absent key, is
   * no change, so a hook that rewrites the same data wakes nobody (DESIGN §6). */
  changes(): BagWrites {
    const out: BagWrites = {};
    for (const key of [...this.pending.keys()].sort()) {
      const value = this.pending.get(key) ?? null;
      const before = this.base[key];
      if (value === null ? before !== undefined : before !== value) out[key] = value;
    }
    return out;
  }

  /** Charms are TypeScript, but a JS caller or an `as` cast can still hand over a number. */
  private check(key: string, value: unknown): void {
    const { relation, unit } = this.options;
    if (typeof key !== 'string' || key === '') {
      throw new RelationDataError(relation, unit, String(key), 'keys must be non-empty strings');
    }
    if (typeof value !== 'string') {
      const got = value === null ? 'null' : typeof value;
      throw new RelationDataError(
        relation,
        unit,
        key,
        `values are strings, got ${got}; convert with String() or JSON.stringify()`,
      );
    }
  }
}
