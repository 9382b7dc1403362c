// The store as the controller uses it: every write also bumps the event bus (model-events.ts).
// Wrapping the Store contract, not each caller, is what makes the bus reliable: agents, the unit
// runner, plan steps and API verbs all write through here, and none of them has to remember to.
import { STORE_METHODS, type StoreMethod } from '../store/store-methods.js';
import type { Store } from '../store/types.js';

/** `store` with `changed` called after each write, even one that throws (it may have written
 * part of its change before failing; a spurious bump only costs a waiter one extra look), and
 * `wrote` after each write that returned, with what it was asked (the metrics count some). */
export function observeStore(
  store: Store,
  changed: () => void,
  wrote?: (method: StoreMethod, args: readonly unknown[]) => void,
): Store {
  const observed: Record<string, unknown> = {};
  Object.defineProperty(observed, 'schemaVersion', {
    get: () => store.schemaVersion,
    enumerable: true,
  });
  // The store's own classification (store-methods.ts): a method added to the contract does not
  // compile until someone decides whether it writes. A transaction bumps through its writes.
  for (const [name, access] of Object.entries(STORE_METHODS) as [StoreMethod, string][]) {
    const method = (store[name] as (...args: unknown[]) => unknown).bind(store);
    observed[name] =
      access !== 'write'
        ? method
        : (...args: unknown[]) => {
            try {
              const result = method(...args);
              wrote?.(name, args);
              return result;
            } finally {
              changed();
            }
          };
  }
  return observed as unknown as Store;
}
