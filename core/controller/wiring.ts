// The composition root's real pieces (DESIGN §3): SSH connections and keys through agents/machine,
// the local provider, and the sim cloud (simulated machines, reached without SSH). With
// controller.ts, the only module of core/controller that imports agents/ (lint enforces it);
// tests build a Controller with fakes instead (test/fakes/).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LocalProvider } from '../../agents/providers/local/local-provider.js';
import { SimMachineNotFoundError } from '../../agents/providers/sim/errors.js';
import { SimProvider } from '../../agents/providers/sim/sim-provider.js';
import { simRemoteMachine } from '../../agents/providers/sim/sim-remote.js';
import type { MachineRecord } from '../store/types.js';
import type { SimulatedMachines } from './controller.js';
import type { StoreClusterOps } from './enable-ha.js';
import type { Connect } from './machine-pool.js';
import type { ControllerPaths } from './paths.js';
import type { ControllerInfo } from './registry.js';
import { repeatEvery } from './repeat.js';

export { newEd25519KeyPair } from '../../agents/machine/ed25519-keys.js';
// The API's own CA over TCP (api-tls.ts) is made as the store cluster's is.
export { issueCertificate, newCertificateAuthority } from '../../agents/controller-store/pki.js';
// The HA controller's own etcd cluster (issue 16 item 3): enable-ha creates it, each controller
// member keeps its own store member running.
import {
  createStoreCluster,
  ensureStoreMember,
  stopStoreCluster,
  type StoreClusterInfo,
} from '../../agents/controller-store/store-cluster.js';
export {
  createStoreCluster,
  ensureStoreMember,
  stopStoreCluster,
  storeClientTls,
  type StoreClusterInfo,
} from '../../agents/controller-store/store-cluster.js';
// Members on other hosts (ha-hosts.ts) run the same etcd command line there.
export { memberArgs } from '../../agents/controller-store/cluster-info.js';

/** enable-ha's and destroy-controller's view of the store cluster: its description is kept in
 * `cluster.json` beside its certificates, so later commands can start and stop its members. */
export function storeClusterOps(): StoreClusterOps {
  return {
    create: async (dir, members, placement) => {
      const info = await createStoreCluster(dir, members, placement ?? {});
      const clusterFile = join(dir, 'cluster.json');
      writeFileSync(clusterFile, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
      return { endpoints: info.endpoints, tls: info.tls, clusterFile };
    },
    remove: async (clusterFile) => {
      const info = JSON.parse(readFileSync(clusterFile, 'utf8')) as StoreClusterInfo;
      await stopStoreCluster(info, { remove: true });
    },
    ensureAll: async (clusterFile) => {
      const info = JSON.parse(readFileSync(clusterFile, 'utf8')) as StoreClusterInfo;
      // Members on other hosts are started there, by the controller members beside them.
      const here = info.members.flatMap((m, n) => (m.machine === undefined ? [n] : []));
      await Promise.all(here.map((n) => ensureStoreMember(info, n)));
    },
  };
}

/** How often a controller member looks at its own store member (etcd), starting it if gone. */
const STORE_MEMBER_CHECK_MS = 5_000;

/**
 * Member `n` of a highly available controller keeps store member `n` running: after a crash or a
 * reboot, each controller member brings its etcd back, so the store keeps its majority. Returns
 * the stop.
 */
export function keepStoreMember(
  clusterFile: string,
  n: number,
  log: (line: string) => void,
): () => void {
  const info = JSON.parse(readFileSync(clusterFile, 'utf8')) as StoreClusterInfo;
  let lastProblem = '';
  return repeatEvery(STORE_MEMBER_CHECK_MS, () =>
    ensureStoreMember(info, n, { timeoutMs: 10_000 })
      .then((did) => {
        if (did === 'started') log(`store member ${n} (etcd) was not running: started it again`);
        lastProblem = '';
      })
      .catch((e: unknown) => {
        const problem = e instanceof Error ? e.message : String(e);
        // Said once per problem, not every 5 s while it lasts.
        if (problem !== lastProblem) log(`store member ${n} (etcd): ${problem}`);
        lastProblem = problem;
      }),
  );
}

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
