// What a provider gives the controller (DESIGN §4): machines that run sshd and accept the
// controller's key. The controller then reaches them only through agents/machine.

export interface ProvisionedMachine {
  /** The provider's own name for the machine (local: its network namespace). */
  instanceId: string;
  address: string;
  port: number;
  /** `SHA256:...` of the host key the machine was given, so the first contact is verified. */
  hostKeyFingerprint?: string;
}

export interface MachineProvider {
  readonly kind: 'local' | 'manual' | 'sim';
  /** Makes a new machine; `machineId` is the model's id (`"3"`), used in names and logs. */
  create(machineId: string): Promise<ProvisionedMachine>;
  /** Destroys the machine and every process, mount and interface it had. Idempotent. */
  destroy(instanceId: string): Promise<void>;
  /**
   * The host-side set-up every machine shares, ahead of the first create (which otherwise does
   * it itself); a failure here is tried again by that create.
   */
  prepare?(): Promise<void>;
}
