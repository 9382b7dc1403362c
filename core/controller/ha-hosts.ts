// enable-ha --to's checks (issue 16 item 3): the machines named, checked against the store, and
// each host reached with its pinned key and looked at for Rune (at this host's path), Node.js and
// etcd before anything changes. ha-host-files.ts gives them files; ha-host-processes.ts runs them.
import { commandLine } from '../charm/shell.js';
import type { RemoteMachine } from '../model/machine.js';
import type { MachineRecord } from '../store/types.js';
import {
  HaHostMissingError,
  HaHostUnreachableError,
  HaPlacementCountError,
  HaPlacementMachineError,
} from './ha-host-errors.js';
import { type Connect, connectPinned } from './machine-pool.js';
import type { HaHost } from './registry.js';

/** Each member's API on a host of its own: Juju's controller port. */
export const MEMBER_API_PORT = 17070;

/** What runs a member here, looked for at the same paths on each host. */
export interface MemberRuntime {
  node: string;
  /** dist/core/cli/rune.js of this host's Rune. */
  script: string;
  /** A file made here just for the check: a host that sees it shares this host's files. */
  probe: string;
}

/** A host ready to take member `member`. */
export interface MemberHost {
  member: number;
  record: MachineRecord;
  machine: RemoteMachine;
  /** The host's address as this host reached it: its members listen there. */
  address: string;
  /** This host's address as that host sees it: member 0's etcd listens there. */
  seenFrom: string;
  node: string;
  etcd: string;
  /** Rune is installed there at this host's path. */
  rune: boolean;
  /** It sees this host's files (a shared filesystem): nothing of this host's may be removed
   * there, only the member's own files. */
  sharedFiles: boolean;
}

/** The `--to` machines (member 1, 2, ... in order), checked against the store. Pure. */
export function placementMachines(
  to: readonly string[],
  members: number,
  machines: readonly MachineRecord[],
): MachineRecord[] {
  if (to.length !== members - 1) throw new HaPlacementCountError(members, to.length);
  const addresses = new Map<string, string>();
  return to.map((id) => {
    const record = machines.find((m) => m.id === id);
    if (record === undefined) {
      const known = machines.map((m) => m.id).join(', ');
      throw new HaPlacementMachineError(id, `no such machine (known: ${known || 'none'})`);
    }
    if (record.provider !== 'manual')
      throw new HaPlacementMachineError(
        id,
        `is a ${record.provider} machine; members go on manual machines (rune add-machine ssh:...)`,
      );
    if (record.life !== 'alive') throw new HaPlacementMachineError(id, `is ${record.life}`);
    const other = addresses.get(record.address);
    if (other !== undefined)
      throw new HaPlacementMachineError(
        id,
        other === id
          ? 'named twice: one member per host'
          : `is the same host as machine ${other} (${record.address}): one member per host`,
      );
    addresses.set(record.address, id);
    return record;
  });
}

/** The facts one round trip gathers, as `key=value` lines. */
function parseFacts(text: string): Map<string, string> {
  const facts = new Map<string, string>();
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) facts.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return facts;
}

/**
 * Reaches each machine (member 1 on the first, and so on) and checks it can run a member. A
 * failure closes every connection made and throws, before anything on any host changed.
 */
export async function reachHosts(
  records: readonly MachineRecord[],
  connect: Connect,
  runtime: MemberRuntime,
): Promise<MemberHost[]> {
  const hosts: MemberHost[] = [];
  try {
    for (const [i, record] of records.entries()) {
      const host = await lookAt(i + 1, record, connect, runtime);
      hosts.push(host);
      checkNeeds(host, runtime);
    }
    return hosts;
  } catch (e) {
    await closeHosts(hosts);
    throw e;
  }
}

export async function closeHosts(hosts: readonly MemberHost[]): Promise<void> {
  await Promise.all(hosts.map((h) => h.machine.close().catch(() => undefined)));
}

/** Connects with the pinned host key and gathers, in one round trip, what checkNeeds needs. */
async function lookAt(
  member: number,
  record: MachineRecord,
  connect: Connect,
  runtime: MemberRuntime,
): Promise<MemberHost> {
  let machine: RemoteMachine;
  try {
    machine = (await connectPinned(connect, record)).machine;
  } catch (e) {
    throw new HaHostUnreachableError(record.id, record.address, errorText(e));
  }
  const node = commandLine([runtime.node]);
  // $SSH_CONNECTION is "client-address client-port server-address server-port": how each side
  // is addressed on the route between them, which is what the store's etcd members must use.
  const script = [
    'set -- $SSH_CONNECTION; echo "from=$1"; echo "at=$3"',
    `if [ -x ${node} ]; then echo node=${node}; else echo "node=$(command -v node)"; fi`,
    `if [ -f ${commandLine([runtime.script])} ]; then echo rune=yes; fi`,
    'echo "etcd=$(command -v etcd)"',
    `if [ -e ${commandLine([runtime.probe])} ]; then echo shared=yes; fi`,
  ].join('\n');
  const found = await machine.run(script, { timeoutMs: 30_000 }).catch(async (e: unknown) => {
    await machine.close().catch(() => undefined);
    throw new HaHostUnreachableError(record.id, record.address, errorText(e));
  });
  const facts = parseFacts(found.stdout.toString());
  return {
    member,
    record,
    machine,
    address: facts.get('at') || record.address,
    seenFrom: facts.get('from') ?? '',
    node: facts.get('node') ?? '',
    etcd: facts.get('etcd') ?? '',
    rune: facts.get('rune') === 'yes',
    sharedFiles: facts.get('shared') === 'yes',
  };
}

/** What a member needs on its host; the first thing missing is the error. */
function checkNeeds(host: MemberHost, runtime: MemberRuntime): void {
  const { id, address } = host.record;
  if (host.seenFrom === '')
    throw new HaHostUnreachableError(id, address, "its sshd did not say this host's address");
  if (!host.rune)
    throw new HaHostMissingError(
      id,
      address,
      `Rune at ${runtime.script}`,
      'install this Rune there at the same path (a member runs the same version and charms as ' +
        'this host), then run enable-ha again; nothing was changed',
    );
  if (host.node === '')
    throw new HaHostMissingError(
      id,
      address,
      'Node.js',
      'install Node.js 20 there (Debian: nodejs), then run enable-ha again; nothing was changed',
    );
  if (host.etcd === '')
    throw new HaHostMissingError(
      id,
      address,
      'etcd',
      "install Debian's etcd-server there (apt-get install etcd-server), then run enable-ha " +
        'again; nothing was changed',
    );
}

/** What controller.json records of a member's host: enough to reach it without the store. */
export function haHost(host: MemberHost): HaHost {
  const { record } = host;
  return {
    member: host.member,
    machine: record.id,
    address: host.address,
    sshPort: record.port,
    user: record.user,
    keyFile: record.keyFile,
    hostKey: record.hostKey,
    api: `${host.address.includes(':') ? `[${host.address}]` : host.address}:${MEMBER_API_PORT}`,
    node: host.node,
    ...(host.sharedFiles ? { sharedFiles: true } : {}),
  };
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
