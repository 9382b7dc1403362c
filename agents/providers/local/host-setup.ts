// Host-side setup shared by a local provider's machines: the tools it runs (absolute paths, as
// sshd lives in /usr/sbin) and the controller's bridge with its /16, reused after a restart.
import { existsSync } from 'node:fs';
import {
  bridgeAddress,
  chooseSubnet,
  parseAddrNetworks,
  parseRouteDestinations,
} from './addresses.js';
import type { Ipv4Cidr } from './addresses.js';
import { CommandFailedError, MachineCreateError, NoFreeSubnetError } from './errors.js';
import type { Run } from './exec.js';
import { which } from './host-packages.js';
import { bridgeName } from './names.js';

export interface HostTools {
  ip: string;
  unshare: string;
  nsenter: string;
  tini: string;
  sshd: string;
  sh: string;
  /** Drops a machine's capabilities (boundary.ts) before its tini starts. */
  setpriv: string;
}

export async function findTools(machineId: string): Promise<HostTools> {
  const wanted = {
    ip: 'ip',
    unshare: 'unshare',
    nsenter: 'nsenter',
    tini: 'tini',
    sshd: 'sshd',
    sh: 'sh',
    setpriv: 'setpriv',
  } as const;
  const entries = await Promise.all(
    Object.entries(wanted).map(async ([key, command]) => {
      const found = await which(command);
      if (found === undefined)
        throw new MachineCreateError(machineId, 'check-host', `${command} not found on this host`);
      return [key, found] as const;
    }),
  );
  return Object.fromEntries(entries) as unknown as HostTools;
}

/** The controller's bridge, reusing its /16 if it already exists (a restarted controller). */
export async function ensureBridge(
  run: Run,
  controllerId: string,
  tools: HostTools,
  machineId: string,
): Promise<Ipv4Cidr> {
  const bridge = bridgeName(controllerId);
  try {
    if (existsSync(`/sys/class/net/${bridge}`)) {
      const { stdout } = await run(tools.ip, ['-4', '-o', 'addr', 'show', 'dev', bridge]);
      const existing = parseAddrNetworks(stdout).find((c) => c.prefix === 16);
      if (existing) return existing;
      await run(tools.ip, ['link', 'del', bridge]);
    }
    const [routes, addrs] = await Promise.all([
      run(tools.ip, ['-4', 'route', 'show', 'table', 'all']),
      run(tools.ip, ['-4', '-o', 'addr']),
    ]);
    const inUse = [...parseRouteDestinations(routes.stdout), ...parseAddrNetworks(addrs.stdout)];
    const subnet = chooseSubnet(controllerId, inUse);
    if (subnet === undefined) throw new NoFreeSubnetError(controllerId);
    // One ip for the three: the first machine of a deploy waits for the bridge, and each
    // process spawned from the controller costs it a fork of itself.
    const make = [
      `link add ${bridge} type bridge`,
      `addr add ${bridgeAddress(subnet)}/${subnet.prefix} dev ${bridge}`,
      `link set ${bridge} up`,
    ];
    await run(tools.ip, ['-batch', '-'], { input: `${make.join('\n')}\n` });
    return subnet;
  } catch (error) {
    if (error instanceof NoFreeSubnetError) throw error;
    const stderr = error instanceof CommandFailedError ? error.stderr : '';
    throw new MachineCreateError(
      machineId,
      'bridge',
      error instanceof Error ? error.message : String(error),
      stderr,
    );
  }
}
