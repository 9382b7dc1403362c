// The local provider (DESIGN §4): machines on this host, each in its own network, mount, PID,
// UTS and IPC namespaces with an overlay root over `/` (host homes, /tmp and Rune homes hidden,
// boundary.ts), its own host key and sshd under tini. Names carry the controller id for sweep().
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { newEd25519KeyPair } from '../../machine/ed25519-keys.js';
import type { MachineProvider, ProvisionedMachine } from '../../../core/model/machine.js';
import { bridgeAddress, machineAddress } from './addresses.js';
import type { Ipv4Cidr } from './addresses.js';
import {
  CommandFailedError,
  LocalProviderConfigError,
  LocalProviderNeedsRootError,
  MachineCreateError,
  MachineDestroyError,
} from './errors.js';
import type { CreateStep } from './errors.js';
import { run as defaultRun } from './exec.js';
import type { Run } from './exec.js';
import { fingerprintOfPublicKeyLine, publicKeyBlob } from './fingerprint.js';
import { ensureHostPackages, which } from './host-packages.js';
import { ensureBridge, findTools } from './host-setup.js';
import type { HostTools } from './host-setup.js';
import { sshdConfig } from './machine-script.js';
import { startMachine, waitForSshd } from './machine-start.js';
import { prepareView } from './machine-view.js';
import { mountsUnder, parseMountinfo } from './mountinfo.js';
import {
  bridgeName,
  isControllerId,
  isLocalMachineId,
  machineName,
  ownedName,
  vethHostName,
} from './names.js';
import {
  killAndWait,
  machineProcesses,
  NETNS_DIR,
  processesWithArg,
  machineMarker,
} from './processes.js';

export interface LocalProviderOptions {
  /** 6 lowercase hex characters (see names.ts). */
  controllerId: string;
  /** The controller's state dir; machines' upper dirs live in `<stateDir>/machines/<name>/`. */
  stateDir: string;
  /**
   * More host paths machines must not see: the Rune home (every controller's store and keys).
   * boundary.ts hides homes, /tmp, /mnt... anyway, and the state dir is always hidden.
   */
  hide?: readonly string[];
  /**
   * Top-level entries of `/` to share beyond the system's (copy-on-write, as /usr is): tests
   * that need a checkout in /work on their machines, as if installed there. Never the default.
   */
  share?: readonly string[];
  /** One OpenSSH public key line: the only key a machine's root accepts. */
  authorizedKey: string;
  /** Install sshd/tini/iproute2 with apt when missing (default true). */
  installHostPackages?: boolean;
  /** How long create() waits for sshd (default 10 s: generous for a loaded 2-core CI host). */
  sshdTimeoutMs?: number;
  run?: Run;
}

export class LocalProvider implements MachineProvider {
  readonly kind = 'local' as const;
  readonly controllerId: string;
  readonly machinesDir: string;
  private readonly stateDir: string;
  private readonly authorizedKey: string;
  private readonly options: LocalProviderOptions;
  private readonly run: Run;
  private prepared: Promise<{ tools: HostTools; subnet: Ipv4Cidr }> | undefined;

  constructor(options: LocalProviderOptions) {
    if (!isControllerId(options.controllerId)) {
      throw new LocalProviderConfigError(
        'controller id',
        options.controllerId,
        'must be 6 lowercase hex characters',
      );
    }
    // overlayfs options are comma/colon separated, so the state dir may hold neither.
    if (!path.isAbsolute(options.stateDir) || /[,:\s\\]/.test(options.stateDir)) {
      throw new LocalProviderConfigError(
        'state dir',
        options.stateDir,
        'must be an absolute path without commas, colons or spaces',
      );
    }
    if (publicKeyBlob(options.authorizedKey) === undefined) {
      throw new LocalProviderConfigError(
        'authorized key',
        options.authorizedKey,
        'must be one OpenSSH public key line',
      );
    }
    this.options = options;
    this.controllerId = options.controllerId;
    this.stateDir = options.stateDir;
    this.machinesDir = path.join(options.stateDir, 'machines');
    this.authorizedKey = options.authorizedKey.trim();
    this.run = options.run ?? defaultRun;
  }

  async create(machineId: string): Promise<ProvisionedMachine> {
    if (!isLocalMachineId(machineId)) {
      throw new LocalProviderConfigError(
        'machine id',
        machineId,
        'must be a number from 0 to 65532',
      );
    }
    const { tools, subnet } = await this.prepareHost(machineId);
    const name = machineName(this.controllerId, machineId);
    const veth = vethHostName(this.controllerId, machineId);
    const dir = path.join(this.machinesDir, name);
    const address = machineAddress(subnet, machineId);
    const step = async <T>(which: CreateStep, action: () => Promise<T>): Promise<T> => {
      try {
        return await action();
      } catch (error) {
        if (error instanceof MachineCreateError) throw error;
        const stderr = error instanceof CommandFailedError ? error.stderr : '';
        throw new MachineCreateError(
          machineId,
          which,
          error instanceof Error ? error.message : String(error),
          stderr,
        );
      }
    };

    if (
      existsSync(`${NETNS_DIR}/${name}`) ||
      existsSync(dir) ||
      existsSync(`/sys/class/net/${veth}`)
    ) {
      throw new MachineCreateError(machineId, 'netns', `${name} already exists; destroy it first`);
    }
    try {
      const seed = path.join(dir, 'seed');
      await step('state-dir', async () => {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await Promise.all(['work', 'seed'].map((d) => mkdir(path.join(dir, d), { mode: 0o700 })));
        // The upper dir's own mode becomes the machine's `/`: 0700 there would lock every
        // non-root user out of the whole filesystem. The machine dir above stays 0700.
        await Promise.all(['upper', 'root'].map((d) => mkdir(path.join(dir, d), { mode: 0o755 })));
        await writeFile(path.join(seed, 'authorized_keys'), `${this.authorizedKey}\n`, {
          mode: 0o600,
        });
        await writeFile(path.join(seed, 'sshd_config'), sshdConfig(name), { mode: 0o644 });
      });
      const hostKey = path.join(seed, 'ssh_host_ed25519_key');
      const fingerprint = await step('host-key', async () => {
        // Made here rather than by ssh-keygen: a process spawned from the controller costs
        // more than the key, and a deploy makes its machines at once.
        const keys = newEd25519KeyPair(`root@${name}`);
        await writeFile(hostKey, keys.private, { mode: 0o600 });
        await writeFile(`${hostKey}.pub`, `${keys.public}\n`, { mode: 0o644 });
        return fingerprintOfPublicKeyLine(keys.public);
      });
      // One ip for the host's side (the machine configures its own side as it starts): a process
      // spawned from the controller costs it a fork of itself (~8 ms here), and a deploy makes
      // its machines at once. In batch mode `netns add` returns ip to the host's namespace for
      // the next line; the machine's end of the veth is created inside its namespace, already
      // named eth0.
      const host = [
        `netns add ${name}`,
        `link add ${veth} type veth peer name eth0 netns ${name}`,
        `link set ${veth} master ${bridgeName(this.controllerId)} up`,
      ];
      await step('netns', async () => {
        try {
          await this.run(tools.ip, ['-batch', '-'], { input: `${host.join('\n')}\n` });
        } catch (error) {
          if (!(error instanceof CommandFailedError)) throw error;
          // ip names the line it stopped at: the namespace, or the link into it.
          const line = /Command failed -:(\d+)/.exec(error.stderr)?.[1];
          const which = line === undefined || line === '1' ? 'netns' : 'veth';
          throw new MachineCreateError(machineId, which, error.message, error.stderr);
        }
      });
      // The machine configures its own end of the veth as it starts (machine-script.ts).
      const network = { address, prefix: subnet.prefix, gateway: bridgeAddress(subnet) };
      const hide = [this.stateDir, ...(this.options.hide ?? [])];
      const view = await step('view', () =>
        prepareView(this.run, tools, this.machinesDir, hide, this.options.share),
      );
      const child = await step('start-sshd', () => startMachine(tools, view, name, dir, network));
      await step('wait-sshd', () =>
        waitForSshd(child, this.options.sshdTimeoutMs ?? 10_000, machineId, dir, address),
      );
      await writeFile(
        path.join(dir, 'machine.json'),
        `${JSON.stringify({ machineId, address, fingerprint })}\n`,
      );
      return { instanceId: name, address, port: 22, hostKeyFingerprint: fingerprint };
    } catch (error) {
      await this.destroyMachine(name).catch(() => undefined); // leave nothing half-made behind
      throw error;
    }
  }

  async destroy(instanceId: string): Promise<void> {
    const owned = ownedName(instanceId, this.controllerId);
    if (owned?.kind !== 'machine') {
      throw new LocalProviderConfigError(
        'instance id',
        instanceId,
        `is not a machine of controller ${this.controllerId}`,
      );
    }
    this.checkHost();
    await this.destroyMachine(instanceId);
  }

  /**
   * Removes every machine (netns, veth, processes, mounts, state dir) of this controller id that
   * is not in `liveInstanceIds`, and the bridge too when none is live. For start-up and
   * destroy-controller. Only names carrying this controller's id are ever considered.
   */
  async sweep(liveInstanceIds: Iterable<string> = []): Promise<string[]> {
    this.checkHost();
    const live = new Set(liveInstanceIds);
    const names = new Set<string>();
    const consider = (n: string): void => {
      const owned = ownedName(n, this.controllerId);
      if (owned?.kind === 'machine') names.add(n);
      if (owned?.kind === 'veth-host') names.add(machineName(this.controllerId, owned.machineId));
    };
    for (const n of await readdir(NETNS_DIR).catch(() => [])) consider(n);
    for (const n of await readdir('/sys/class/net').catch(() => [])) consider(n);
    for (const n of await readdir(this.machinesDir).catch(() => [])) consider(n);
    for (const { arg } of await processesWithArg(machineMarker(`rune-${this.controllerId}-`))) {
      consider(arg.slice(machineMarker('').length));
    }
    for (const m of parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'))) {
      consider(m.source);
      if (m.mountPoint.startsWith(`${this.machinesDir}/`))
        consider(m.mountPoint.slice(this.machinesDir.length + 1).split('/')[0] ?? '');
    }
    const removed = [...names].filter((n) => !live.has(n)).sort();
    for (const n of removed) await this.destroyMachine(n);
    if (live.size === 0) await this.removeBridge();
    return removed;
  }

  /** Removes all of this controller's machines and its bridge (destroy-controller). */
  async destroyAll(): Promise<void> {
    await this.sweep([]);
  }

  private checkHost(): void {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      throw new LocalProviderNeedsRootError(process.platform, process.getuid?.());
    }
  }

  /** The host's side, ready before the first machine is asked for (a controller starting). */
  async prepare(): Promise<void> {
    await this.prepareHost('0');
  }

  /** Once per provider: root check, host packages, tools, state dir, the bridge and its /16. */
  private prepareHost(machineId: string): Promise<{ tools: HostTools; subnet: Ipv4Cidr }> {
    this.prepared ??= (async () => {
      this.checkHost();
      if (this.options.installHostPackages !== false) await ensureHostPackages();
      const tools = await findTools(machineId);
      await mkdir(this.machinesDir, { recursive: true, mode: 0o700 });
      const subnet = await ensureBridge(this.run, this.controllerId, tools, machineId);
      return { tools, subnet };
    })();
    const prepared = this.prepared;
    prepared.catch(() => {
      if (this.prepared === prepared) this.prepared = undefined; // let a later create() retry
    });
    return prepared;
  }

  /** Kills, unmounts and deletes everything of machine `name`; fine to call on a half-made one. */
  private async destroyMachine(name: string): Promise<void> {
    const owned = ownedName(name, this.controllerId);
    if (owned?.kind !== 'machine') return;
    const ip = (await which('ip')) ?? 'ip';
    const dir = path.join(this.machinesDir, name);
    try {
      await killAndWait(await machineProcesses(this.run, ip, name), name);
      // Machine mounts live in its own mount namespace and vanished with its processes; these are
      // only ones made in the host's namespace, under its dir or with its name as their source.
      const hostMounts = parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8'));
      const named = hostMounts
        .filter((m) => m.source === name || m.source.startsWith(`${name}-`))
        .sort((a, b) => b.mountPoint.length - a.mountPoint.length);
      const points = new Set([...mountsUnder(hostMounts, dir), ...named].map((m) => m.mountPoint));
      for (const mountPoint of points) {
        await this.run('umount', [mountPoint]).catch(() => this.run('umount', ['-l', mountPoint]));
      }
      const veth = vethHostName(this.controllerId, owned.machineId);
      if (existsSync(`/sys/class/net/${veth}`)) await this.run(ip, ['link', 'del', veth]);
      if (existsSync(`${NETNS_DIR}/${name}`)) await this.run(ip, ['netns', 'del', name]);
      const left = mountsUnder(parseMountinfo(await readFile('/proc/self/mountinfo', 'utf8')), dir);
      if (left.length > 0)
        throw new Error(`still mounted: ${left.map((m) => m.mountPoint).join(', ')}`);
      // Only now, with nothing mounted below it, is a recursive delete safe.
      if (existsSync(dir)) {
        await chmod(path.join(dir, 'work'), 0o700).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      }
    } catch (error) {
      throw new MachineDestroyError(name, error instanceof Error ? error.message : String(error));
    }
  }

  private async removeBridge(): Promise<void> {
    const bridge = bridgeName(this.controllerId);
    if (existsSync(`/sys/class/net/${bridge}`)) {
      await this.run((await which('ip')) ?? 'ip', ['link', 'del', bridge]);
    }
    this.prepared = undefined;
  }
}
