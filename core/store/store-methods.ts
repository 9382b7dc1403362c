// Which of the store's methods change it: the replicated store (etcd-store.ts) logs those and
// replays them on every other member; the controller's event bus (observed-store.ts) bumps on
// them. A Record over every method name, so a method added to the Store interface does not
// compile until it is classified here.
import type { Store } from './types.js';

export type StoreMethod = {
  [K in keyof Store]: Store[K] extends (...args: never[]) => unknown ? K : never;
}[keyof Store];

/** `write`: logged; `read`: served by the member's own replica; `transaction` and `close` are
 * the replicated store's own. */
export const STORE_METHODS: Record<StoreMethod, 'read' | 'write' | 'transaction' | 'close'> = {
  transaction: 'transaction',
  close: 'close',
  // The model.
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
  // Machines.
  reserveMachineId: 'write',
  addMachine: 'write',
  machines: 'read',
  machineIds: 'read',
  machine: 'read',
  setMachineFacts: 'write',
  setMachineLife: 'write',
  removeMachine: 'write',
  // Unit agents' runtime and the hook log.
  unitRuntime: 'read',
  setUnitRuntime: 'write',
  unitsDueForRetry: 'read',
  hookStarted: 'write',
  hookEnded: 'write',
  hookLog: 'read',
  // Deploy journal.
  deployStarted: 'write',
  deployFinished: 'write',
  unfinishedDeploys: 'read',
  // Leadership.
  leader: 'read',
  leaseExpires: 'read',
  setLeader: 'write',
  renewLease: 'write',
  leaderSettings: 'read',
  leaderSettingsVersion: 'read',
  writeLeaderSettings: 'write',
  // Actions.
  enqueueAction: 'write',
  action: 'read',
  nextAction: 'read',
  unitsWithActions: 'read',
  startAction: 'write',
  finishAction: 'write',
  // Charm revisions, rollouts, resources, settings, history.
  addCharmRevision: 'write',
  useCharmRevision: 'write',
  charmRevisions: 'read',
  addRollout: 'write',
  setRollout: 'write',
  activeRollout: 'read',
  activeRollouts: 'read',
  rollouts: 'read',
  attachResource: 'write',
  resources: 'read',
  resourceRevision: 'read',
  useResourceRevision: 'write',
  applicationSettings: 'read',
  setApplicationSettings: 'write',
  addModelRevision: 'write',
  modelRevisions: 'read',
  latestModelRevision: 'read',
  recordStatus: 'write',
  statusHistory: 'read',
  // API users and their token hashes (sqlite-users.ts).
  addUser: 'write',
  users: 'read',
  addToken: 'write',
  token: 'read',
  removeToken: 'write',
};
