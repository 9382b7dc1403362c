// Lookups by a name someone chose (an application, a resource, an option, a settings key) in a
// plain object: `constructor` or `toString` must read as a name that is absent, not as what every
// object inherits from Object.prototype (issue 15 item 12). Pure.

/** `record[key]` when `record` itself holds `key`; undefined otherwise. */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `record[key] = value`, as the record's own entry even when `key` is `__proto__` (a plain
 * assignment would set the object's prototype, or be ignored). */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
