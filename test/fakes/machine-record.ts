// A machine record for tests that need a machine in the store and nothing on it: a FAKE (no
// host answers at its address, its key files do not exist).
import type { NewMachine } from '../../core/store/types.js';

/** A manual machine at 10.0.0.<id> unless `over` says otherwise. */
export function machineRecord(id: string, over: Partial<NewMachine> = {}): NewMachine {
  return {
    id,
    provider: 'manual',
    instanceId: `manual:10.0.0.${id}`,
    address: `10.0.0.${id}`,
    port: 22,
    user: 'root',
    keyFile: '/k',
    hostKey: 'SHA256:x',
    hostPublicKey: 'ssh-ed25519 AAAA',
    constraints: '',
    ...over,
  };
}
