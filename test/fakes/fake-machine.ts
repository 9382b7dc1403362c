// FAKE machines for controller tests that need no SSH. What they do NOT model: real commands
// (run answers `true`, or what the test's `answer` scripts; stream answers a fixed line), host
// keys beyond a fixed fingerprint, connection loss unless the test sets `down`, file modes and
// owners, timeouts and signals.
import type {
  CommandResult,
  FileWrite,
  HostKeyPolicy,
  MachineFacts,
  RemoteMachine,
  SshTarget,
} from '../../core/model/machine.js';
import type { MachineProvider, ProvisionedMachine } from '../../core/model/machine.js';
import type { Connect } from '../../core/controller/machine-pool.js';

export const FAKE_FACTS: MachineFacts = {
  os: 'debian',
  osVersion: '12',
  arch: 'amd64',
  cores: 2,
  memoryBytes: 2048 * 1024 * 1024,
  rootDiskBytes: 16384 * 1024 * 1024,
  addresses: [],
  hostname: 'fake',
  systemd: false,
  snapd: false,
};

export class FakeMachine implements RemoteMachine {
  closed = false;
  files = new Map<string, Buffer>();

  constructor(
    readonly host: string,
    readonly world: FakeWorld,
  ) {}

  run(command: string): Promise<CommandResult> {
    if (this.world.down.has(this.host)) return Promise.reject(new Error(`${this.host} is down`));
    const answer = this.world.answer?.(this.host, command);
    if (answer !== undefined)
      return Promise.resolve({ code: 0, stdout: Buffer.from(answer), stderr: Buffer.from('') });
    const code = command === 'true' ? 0 : 127;
    return Promise.resolve({ code, stdout: Buffer.from(''), stderr: Buffer.from('') });
  }

  stream(
    command: string,
    sink: { stdout(c: Buffer): void; stderr(c: Buffer): void },
  ): Promise<number> {
    sink.stdout(Buffer.from(`ran ${command} on ${this.host}\n`));
    sink.stderr(Buffer.from('to stderr\n'));
    return Promise.resolve(3);
  }

  writeFile(path: string, data: Buffer | string): Promise<void> {
    this.files.set(path, Buffer.from(data));
    return Promise.resolve();
  }

  writeFiles(files: readonly FileWrite[]): Promise<boolean[]> {
    for (const f of files) this.files.set(f.path, Buffer.from(f.data));
    return Promise.resolve(files.map(() => true));
  }

  readFile(path: string): Promise<Buffer> {
    const data = this.files.get(path);
    return data ? Promise.resolve(data) : Promise.reject(new Error(`no ${path}`));
  }

  facts(): Promise<MachineFacts> {
    return Promise.resolve({ ...FAKE_FACTS, addresses: [this.host] });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/** The hosts that exist, which are down, and every connection attempt made. */
export class FakeWorld {
  readonly hosts = new Set<string>();
  readonly down = new Set<string>();
  readonly attempts: { target: SshTarget; policy: HostKeyPolicy }[] = [];
  hostKey = 'SHA256:fakefakefake';
  /** A command's output on a host (exit 0), when the test scripts one; else as described above. */
  answer?: (host: string, command: string) => string | undefined;

  readonly connect: Connect = (target, policy) => {
    this.attempts.push({ target, policy });
    if (!this.hosts.has(target.host) || this.down.has(target.host)) {
      return Promise.reject(new Error(`cannot reach ${target.host}:${target.port}`));
    }
    if (policy.pinned !== undefined && policy.pinned !== this.hostKey) {
      return Promise.reject(new Error(`host key changed for ${target.host}`));
    }
    return Promise.resolve({
      machine: new FakeMachine(target.host, this),
      hostKey: { fingerprint: this.hostKey, publicKey: 'ssh-ed25519 AAAAfake' },
    });
  };
}

export class FakeProvider implements MachineProvider {
  readonly kind = 'local';
  readonly made = new Map<string, ProvisionedMachine>();
  readonly destroyed: string[] = [];

  constructor(readonly world: FakeWorld) {}

  create(machineId: string): Promise<ProvisionedMachine> {
    const address = `10.99.0.${Number(machineId) + 2}`;
    this.world.hosts.add(address);
    const made = {
      instanceId: `fake-m${machineId}`,
      address,
      port: 22,
      hostKeyFingerprint: this.world.hostKey,
    };
    this.made.set(made.instanceId, made);
    return Promise.resolve(made);
  }

  destroy(instanceId: string): Promise<void> {
    const made = this.made.get(instanceId);
    if (made) this.world.hosts.delete(made.address);
    this.made.delete(instanceId);
    this.destroyed.push(instanceId);
    return Promise.resolve();
  }
}
