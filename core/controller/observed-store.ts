// The store as the controller uses it: every write also bumps the event bus (model-events.ts).
// Wrapping the Store contract, not each caller, is what makes the bus reliable: agents, the unit
// runner, plan steps and API verbs all write through here, and none of them has to remember to.
import type { Store } from '../store/types.js';

type StoreMethod = {
  [K in keyof Store]: Store[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Store];

/**
 * Every Store method, marked read or write. A Record over all of them, so a method added to the
 * contract does not compile until someone decides here whether status could see its effect.
 * `transaction` and `close` count as reads: the writes inside a transaction bump on their own.
 */
const ACCESS: Record<StoreMethod, 'read' | 'write'> = {
  reserveMachineId: 'write',
  addMachine: 'write',
  machines: 'read',
  machine: 'read',
  machineIds: 'read',
  setMachineFacts: 'write',
  setMachineLife: 'write',
  removeMachine: 'write',
  close: 'read',
  snapshot: 'read',
  applications: 'read',
  application: 'read',
  addApplication: 'write',
  setConfig: 'write',
  expose: 'write',
  units: 'read',
  unit: 'read',
  unitIndex: 'read',
  databags: 'read',
  databagVersions: 'read',
  databagVisibleVersion: 'read',
  addUnit: 'write',
  setUnitStatus: 'write',
  relations: 'read',
  addRelation: 'write',
  setUnitLife: 'write',
  setUnitMachine: 'write',
  setApplicationLife: 'write',
  setRelationLife: 'write',
  removeUnit: 'write',
  removeRelation: 'write',
  removeApplication: 'write',
  resetConfig: 'write',
  databag: 'read',
  writeDatabag: 'write',
  modelConfig: 'read',
  setModelConfig: 'write',
  transaction: 'read',
  unitRuntime: 'read',
  setUnitRuntime: 'write',
  unitsDueForRetry: 'read',
  hookStarted: 'write',
  hookEnded: 'write',
  hookLog: 'read',
  leader: 'read',
  leaseExpires: 'read',
  setLeader: 'write',
  renewLease: 'write',
  leaderSettings: 'read',
  leaderSettingsVersion: 'read',
  writeLeaderSettings: 'write',
  enqueueAction: 'write',
  action: 'read',
  nextAction: 'read',
  unitsWithActions: 'read',
  startAction: 'write',
  finishAction: 'write',
  attachResource: 'write',
  resources: 'read',
  resourceRevision: 'read',
  useResourceRevision: 'write',
  applicationSettings: 'read',
  setApplicationSettings: 'write',
  deployStarted: 'write',
  deployFinished: 'write',
  unfinishedDeploys: 'read',
  addCharmRevision: 'write',
  useCharmRevision: 'write',
  charmRevisions: 'read',
  addRollout: 'write',
  setRollout: 'write',
  activeRollout: 'read',
  activeRollouts: 'read',
  rollouts: 'read',
  addModelRevision: 'write',
  modelRevisions: 'read',
  latestModelRevision: 'read',
  recordStatus: 'write',
  statusHistory: 'read',
  // Users and tokens: status never shows them, so they wake no watcher.
  addUser: 'read',
  users: 'read',
  addToken: 'read',
  token: 'read',
  removeToken: 'read',
};

/** `store` with `changed` called after each write, even one that throws (it may have written
 * part of its change before failing; a spurious bump only costs a waiter one extra look). */
export function observeStore(store: Store, changed: () => void): Store {
  const observed: Record<string, unknown> = {};
  Object.defineProperty(observed, 'schemaVersion', {
    get: () => store.schemaVersion,
    enumerable: true,
  });
  for (const [name, access] of Object.entries(ACCESS) as [StoreMethod, 'read' | 'write'][]) {
    const method = (store[name] as (...args: unknown[]) => unknown).bind(store);
    observed[name] =
      access === 'read'
        ? method
        : (...args: unknown[]) => {
            try {
              return method(...args);
            } finally {
              changed();
            }
          };
  }
  return observed as unknown as Store;
}
