// What a Controller is built from (controller.ts): its files and record, the store, how machines
// are reached and made, and, on the sim cloud or an HA member, what differs there. Types only,
// so the wiring (wiring.ts, run.ts) and the tests' fakes name them without the controller's code.
import type { CharmMachine } from '../charm/context-types.js';
import type { CharmRepository } from '../charm/repository.js';
import type { LoadedCharm } from '../charm/sdk.js';
import type { MachineProvider } from '../model/machine.js';
import type { ApplicationRecord, MachineRecord, Store } from '../store/types.js';
import type { Connect } from './machine-pool.js';
import type { ControllerPaths } from './paths.js';
import type { ControllerInfo } from './registry.js';

export interface ControllerDeps {
  info: ControllerInfo;
  paths: ControllerPaths;
  version: string;
  store: Store;
  connect: Connect;
  /** The provider that makes machines (local); undefined on a manual controller. */
  provider?: () => MachineProvider;
  /** How long a status probe waits for each machine. */
  probeTimeoutMs?: number;
  /** A status shows a machine as a probe at most this old saw it, else probes it first
   * (default: the health checks' interval, so a settled model's status makes no round trip). */
  statusProbeMaxAgeMs?: number;
  /** Called after shutdown has released everything, to end the process. */
  exit?: () => void;
  /** Loads a deployed application's charm and code for its unit agents. */
  loadCharm?: (app: ApplicationRecord) => Promise<LoadedCharm>;
  /** Charms by reference (charms/ and paths), shared with the unit agents. */
  charms?: CharmRepository;
  /** The controller's log (what the resurrector did, and why it held back). */
  log?: (line: string) => void;
  /** A sim cloud's machines (wiring.ts simCloud): hooks reach them directly, and a rehearsal
   * can lose them; absent on other clouds. */
  sim?: SimulatedMachines;
  /** On a highly available controller: this member, and whether it is the active one now. */
  member?: { id: number; active: () => boolean };
}

export interface SimulatedMachines {
  charmMachine(record: MachineRecord): CharmMachine;
  setLost(record: MachineRecord, lost: boolean): void;
}
