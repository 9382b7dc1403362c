// Values in the etcd charm's bags and leader settings: comma-separated lists, and writes that
// touch a key only when its value changes (a commit that changes nothing wakes nobody).
export { put } from '../lib/bags.js';

/** Splits a comma-separated bag value; empty parts dropped. */
export function list(value: string | undefined): string[] {
  return (value ?? '').split(',').filter((part) => part !== '');
}
