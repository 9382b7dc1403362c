// The machine contract (DESIGN §3, §5): how a machine is reached, what can be done on it, and what
// a provider hands the controller. Types only: agents/machine and agents/providers implement
// them; the store, the charm SDK and the controller depend on these, never on agents/.

/** Where a machine's sshd listens and how the controller logs in. */
export interface SshTarget {
  host: string;
  port: number;
  /** `root`, or a user that has passwordless `sudo -n` (manual provider). */
  user: string;
  /** The controller's private key (OpenSSH or PEM text). Never logged. */
  privateKey: string;
}

/** Host-key pinning (DESIGN §12): trust on first use, then refuse any other key. */
export interface HostKeyPolicy {
  /** `SHA256:<base64, no padding>` as OpenSSH prints it; undefined on first contact. */
  pinned?: string;
}

export interface CommandResult {
  /** The command's exit status; 128+N when killed by signal N. */
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface RunOptions {
  /** Bytes fed to the command's standard input (then closed). */
  stdin?: Buffer | string;
  /** Gives up after this long: the command is killed and the call throws a timeout error. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface StreamSink {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

/** One file of writeFiles. */
export interface FileWrite extends WriteFileOptions {
  /** Absolute. Missing parent directories are made (0755). */
  path: string;
  data: Buffer | string;
  /** Leaves the file alone (no rename, no new inode) when it already holds exactly `data`. */
  onlyIfChanged?: boolean;
}

export interface WriteFileOptions {
  /** Octal permission bits, e.g. 0o600 for private keys. */
  mode?: number;
  /** `user` or `user:group`. */
  owner?: string;
}

/** Facts gathered once per machine and cached in the store (DESIGN §4). */
export interface MachineFacts {
  /** From /etc/os-release: `debian`, `ubuntu`... and its VERSION_ID: `12`, `22.04`. */
  os: string;
  osVersion: string;
  /** Juju style: `amd64`, `arm64`. */
  arch: string;
  cores: number;
  memoryBytes: number;
  rootDiskBytes: number;
  /** Non-loopback IPv4 addresses, sorted. */
  addresses: string[];
  hostname: string;
  /** /run/systemd/system exists: services are systemd units. */
  systemd: boolean;
  snapd: boolean;
}

/** One machine reached over SSH, with commands on a persistent session (DESIGN §5). */
export interface RemoteMachine {
  /** Short command on the persistent shell session: ~2 ms, output framed and kept apart. */
  run(command: string, options?: RunOptions): Promise<CommandResult>;
  /** Long-running or streaming command on its own exec channel; resolves to the exit code. */
  stream(command: string, sink: StreamSink, options?: RunOptions): Promise<number>;
  /** Atomic: written to a temp file beside `path`, then renamed over it. */
  writeFile(path: string, data: Buffer | string, options?: WriteFileOptions): Promise<void>;
  /**
   * Several files in one round trip, each atomic as writeFile (the set is not: a failure leaves
   * the files before it written). Resolves to whether each changed; a file marked
   * `onlyIfChanged` that already holds its data is left alone.
   */
  writeFiles(files: readonly FileWrite[]): Promise<boolean[]>;
  readFile(path: string): Promise<Buffer>;
  facts(): Promise<MachineFacts>;
  close(): Promise<void>;
}

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
