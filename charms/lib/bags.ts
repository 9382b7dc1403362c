// Writes to bags and leader settings that touch a key only when its value changes: a commit that
// changes nothing wakes nobody (DESIGN §6).
import type { WriteBag } from 'rune/charm';

/** Sets a bag key only when it differs, deleting it for undefined. */
export function put(bag: WriteBag, key: string, value: string | undefined): void {
  if (value === undefined || value === '') {
    if (bag.get(key) !== undefined) bag.delete(key);
  } else if (bag.get(key) !== value) bag.set(key, value);
}

/** Applies an interface helper's writes (changed keys only; `""` deletes) to `bag`. */
export function putAll(bag: WriteBag, writes: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(writes)) put(bag, key, value);
}
