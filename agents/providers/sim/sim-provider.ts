// The sim provider (DESIGN §4): makes and destroys SIMULATED machines (sim-machine.ts), for scale
// benchmarks and for `rune bootstrap sim` rehearsals. No sshd, no network, no processes: `address`
// is a made-up 10.x address and nothing listens on `port`; the controller reaches a sim machine
// through `charmMachine()` and `remote()` (sim-remote.ts), never over SSH.
import type { CharmMachine } from '../../../core/charm/context-types.js';
import type { MachineProvider, ProvisionedMachine } from '../../../core/model/machine.js';
import { SimMachineNotFoundError } from './errors.js';
import { type SimMachine, simMachine, type SimMachineOptions } from './sim-machine.js';

export class SimProvider implements MachineProvider {
  readonly kind = 'sim';
  private readonly machines = new Map<string, SimMachine>();

  /** `options.seed` seeds machine 0; machine n gets seed + n, so machines jitter independently. */
  constructor(private readonly options: SimMachineOptions = {}) {}

  create(machineId: string): Promise<ProvisionedMachine> {
    const instanceId = this.make(machineId);
    return Promise.resolve({ instanceId, address: simAddress(Number(machineId)), port: 22 });
  }

  /**
   * A machine the model records from an earlier run of this process: sim machines live in
   * memory, so a restarted controller gets each back empty, as a host reimaged in place.
   */
  revive(machineId: string): void {
    if (!this.machines.has(`sim-${machineId}`)) this.make(machineId);
  }

  /** The sim machine at a made-up address (what a connection to it would reach). */
  atAddress(address: string): SimMachine | undefined {
    const m = /^10\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
    if (!m) return undefined;
    const n = Number(m[1]) * 65_536 + Number(m[2]) * 256 + Number(m[3]) - 2;
    return this.machines.get(`sim-${n}`);
  }

  private make(machineId: string): string {
    const n = Number(machineId);
    const instanceId = `sim-${machineId}`;
    const seed = (this.options.seed ?? 1) + (Number.isInteger(n) ? n : this.machines.size);
    this.machines.set(instanceId, simMachine(instanceId, { ...this.options, seed }));
    return instanceId;
  }

  destroy(instanceId: string): Promise<void> {
    this.machines.delete(instanceId);
    return Promise.resolve();
  }

  sim(instanceId: string): SimMachine {
    const found = this.machines.get(instanceId);
    if (!found) throw new SimMachineNotFoundError(instanceId);
    return found;
  }

  charmMachine(instanceId: string): CharmMachine {
    return this.sim(instanceId).machine;
  }

  instances(): string[] {
    return [...this.machines.keys()];
  }
}

/** 10.x.y.z from the machine number, so addresses are unique up to 2^24 machines. */
export function simAddress(n: number): string {
  const k = Number.isInteger(n) && n >= 0 ? n + 2 : 2;
  return `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`;
}
