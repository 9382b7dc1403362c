// Names of the local provider's host objects (bridge, network namespaces, veths, overlays) and
// the reverse check the sweep uses. Pure. Every name embeds the controller id, so two controllers
// on one host never touch each other's objects (DESIGN §4).

/**
 * Assumption: a controller id is exactly 6 lowercase hex characters (e.g. `randomBytes(3)`).
 * The fixed length is what keeps prefixes unambiguous: `rn<id>` of one controller can never be
 * the start of another controller's names, and it leaves room for the 15-character limit.
 */
export const CONTROLLER_ID_PATTERN = /^[0-9a-f]{6}$/;

/** Machine ids the local provider accepts: the model's plain numbers, up to 65532 (address room). */
export const MAX_LOCAL_MACHINE_ID = 65532;

/** Linux refuses interface names longer than IFNAMSIZ - 1. */
export const MAX_INTERFACE_NAME = 15;

export function isControllerId(id: string): boolean {
  return CONTROLLER_ID_PATTERN.test(id);
}

/** Plain decimal, no leading zeros, at most MAX_LOCAL_MACHINE_ID. */
export function isLocalMachineId(id: string): boolean {
  return /^(0|[1-9][0-9]{0,4})$/.test(id) && Number(id) <= MAX_LOCAL_MACHINE_ID;
}

/** `rn1a2b3c-br` (11 chars). */
export function bridgeName(controllerId: string): string {
  return `rn${controllerId}-br`;
}

/** `rune-1a2b3c-7`: the network namespace, the instance id, the hostname and the overlay source. */
export function machineName(controllerId: string, machineId: string): string {
  return `rune-${controllerId}-${machineId}`;
}

/** Host end of the machine's veth, `rn1a2b3c-h7` (at most 15 chars); the other end is eth0. */
export function vethHostName(controllerId: string, machineId: string): string {
  return `rn${controllerId}-h${machineId}`;
}

export type OwnedName =
  | { kind: 'bridge' }
  | { kind: 'machine'; machineId: string }
  | { kind: 'veth-host'; machineId: string };

/** What `name` is among controller `controllerId`'s objects, or undefined if it is not one. */
export function ownedName(name: string, controllerId: string): OwnedName | undefined {
  if (name === bridgeName(controllerId)) return { kind: 'bridge' };
  const machinePrefix = `rune-${controllerId}-`;
  if (name.startsWith(machinePrefix)) {
    const machineId = name.slice(machinePrefix.length);
    return isLocalMachineId(machineId) ? { kind: 'machine', machineId } : undefined;
  }
  const vethPrefix = `rn${controllerId}-h`;
  if (name.startsWith(vethPrefix)) {
    const machineId = name.slice(vethPrefix.length);
    return isLocalMachineId(machineId) ? { kind: 'veth-host', machineId } : undefined;
  }
  return undefined;
}
