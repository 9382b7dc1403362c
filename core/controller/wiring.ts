// The real pieces the controller process is built from: SSH connections through agents/machine
// and the local provider. Tests build a Controller with fakes instead (test/fakes/).
import { connectMachine } from '../../agents/machine/remote-machine.js';
import type { Connect } from './machine-pool.js';

export { localProvider } from './leftovers.js';

export const connectOverSsh: Connect = async (target, policy, label) => {
  const machine = await connectMachine(target, policy, { machine: label });
  return {
    machine,
    hostKey: { fingerprint: machine.hostKey, publicKey: machine.hostPublicKey },
  };
};
