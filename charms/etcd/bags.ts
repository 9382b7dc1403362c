// Values in the etcd charm's bags and leader settings: comma-separated lists, and writes that
// touch a key only when its value changes (a commit that changes nothing wakes nobody).
import type { WriteBag } from 'rune/charm';

/** Splits a comma-separated bag value; empty parts dropped. */
export function list(value: string | undefined): string[] {
  return (value ?? '').split(',').filter((part) => part !== '');
}

/** Sets a bag key only when it differs, deleting it for undefined. */
export function put(bag: WriteBag, key: string, value: string | undefined): void {
  if (value === undefined || value === '') {
    if (bag.get(key) !== undefined) bag.delete(key);
  } else if (bag.get(key) !== value) bag.set(key, value);
}
