// The composition root's real pieces (DESIGN §3): SSH connections and keys through agents/machine,
// the local provider, and the sim cloud (simulated machines, reached without SSH). With
// controller.ts, the only module of core/controller that imports agents/ (lint enforces it);
// tests build a Controller with fakes instead (test/fakes/).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LocalProvider } from '../../agents/providers/local/local-provider.js';
import { SimMachineNotFoundError } from '../../agents/providers/sim/errors.js';
import { SimProvider } from '../../agents/providers/sim/sim-provider.js';
import { simRemoteMachine } from '../../agents/providers/sim/sim-remote.js';
import type { MachineRecord } from '../store/types.js';
import type { SimulatedMachines } from './controller.js';
import type { Connect } from './machine-pool.js';
import type { ControllerPaths } from './paths.js';
import type { ControllerInfo } from './registry.js';

export { newEd25519KeyPair } from '../../agents/machine/ed25519-keys.js';
// The HA controller's own etcd cluster (issue 16 item 3): enable-ha creates it, each controller
// member keeps its own store member running.
export {
  createStoreCluster,
  ensureStoreMember,
  stopStoreCluster,
  storeClientTls,
  type StoreClusterInfo,
} from '../../agents/controller-store/store-cluster.js';

export const connectOverSsh: Connect = async (target, policy, label) => {
  // ssh2 is loaded by the first connection, not by every CLI command that reads the registry.
  const { connectMachine } = await import('../../agents/machine/remote-machine.js');
  const machine = await connectMachine(target, policy, { machine: label });
  return {
    machine,
    hostKey: { fingerprint: machine.hostKey, publicKey: machine.hostPublicKey },
  };
};

export function localProvider(info: ControllerInfo, paths: ControllerPaths): LocalProvider {
  return new LocalProvider({
    controllerId: info.id,
    stateDir: paths.dir,
    // The whole Rune home (paths.dir is HOME/controllers/NAME): every controller's store and keys.
    hide: [dirname(dirname(paths.dir))],
    authorizedKey: readFileSync(paths.publicKey, 'utf8'),
  });
}

/** What a sim controller runs on: its provider, a `connect` that reaches sim machines by their
 * made-up address, and the machines' own hook view (no supervisor, no apt: sim-machine.ts). */
export interface SimCloud extends SimulatedMachines {
  provider: SimProvider;
  connect: Connect;
}

export function simCloud(info: ControllerInfo, known: readonly MachineRecord[]): SimCloud {
  const provider = new SimProvider(info.sim ? { latency: info.sim } : {});
  // Sim machines live in this process: those the store records come back empty (sim-provider.ts).
  for (const record of known) if (record.provider === 'sim') provider.revive(record.id);
  const sim = (instanceId: string) => provider.sim(instanceId);
  return {
    provider,
    connect: (target, _policy, label) => {
      const machine = provider.atAddress(target.host);
      if (machine === undefined) throw new SimMachineNotFoundError(`${label} (${target.host})`);
      // As a dead host's would, a connection to a lost machine fails (and a probe with it).
      return machine.machine.run('true').then(() => ({
        machine: simRemoteMachine(machine, target.host),
        hostKey: { fingerprint: 'SHA256:sim', publicKey: '' },
      }));
    },
    charmMachine: (record) => sim(record.instanceId).machine,
    setLost: (record, lost) => {
      const machine = sim(record.instanceId);
      if (lost) machine.lose();
      else machine.heal();
    },
  };
}
