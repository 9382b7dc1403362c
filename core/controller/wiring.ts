// The composition root's real pieces (DESIGN §3): SSH connections and keys through agents/machine,
// and the local provider. With controller.ts, the only module of core/controller that imports
// agents/ (lint enforces it); tests build a Controller with fakes instead (test/fakes/).
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { connectMachine } from '../../agents/machine/remote-machine.js';
import { LocalProvider } from '../../agents/providers/local/local-provider.js';
import type { Connect } from './machine-pool.js';
import type { ControllerPaths } from './paths.js';
import type { ControllerInfo } from './registry.js';

export { newEd25519KeyPair } from '../../agents/machine/ed25519-keys.js';

export const connectOverSsh: Connect = async (target, policy, label) => {
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
