// IPv4 arithmetic for the local provider: parsing `ip -4 route` / `ip -4 addr` output, choosing a
// controller's /16 that overlaps nothing already routed, and each machine's address in it. Pure.

export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

export function parseIpv4(text: string): number | undefined {
  const m = IPV4.exec(text);
  if (!m) return undefined;
  return ((Number(m[1]) << 24) | (Number(m[2]) << 16) | (Number(m[3]) << 8) | Number(m[4])) >>> 0;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `10.1.0.0/16` or a bare address (a /32); the host bits are cleared. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const [addr, prefixText, extra] = text.split('/');
  if (addr === undefined || extra !== undefined) return undefined;
  const value = parseIpv4(addr);
  const prefix = prefixText === undefined ? 32 : Number(prefixText);
  if (value === undefined || !/^\d{1,2}$/.test(prefixText ?? '32') || prefix > 32) return undefined;
  return { base: (value & mask(prefix)) >>> 0, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const shorter = Math.min(a.prefix, b.prefix);
  return ((a.base ^ b.base) & mask(shorter)) >>> 0 === 0;
}

// Route types `ip route show table all` may print before the destination.
const ROUTE_TYPES = new Set([
  'unicast',
  'local',
  'broadcast',
  'multicast',
  'throw',
  'unreachable',
  'prohibit',
  'blackhole',
  'nat',
  'anycast',
]);

/**
 * Destinations of `ip -4 route [show table all]` output. `default` (0/0) is left out on purpose:
 * it "overlaps" everything yet only says where unknown traffic goes.
 */
export function parseRouteDestinations(output: string): Ipv4Cidr[] {
  const found: Ipv4Cidr[] = [];
  for (const line of output.split('\n')) {
    const words = line.trim().split(/\s+/);
    let first = words[0];
    if (first !== undefined && ROUTE_TYPES.has(first)) first = words[1];
    if (first === undefined || first === 'default') continue;
    const cidr = parseCidr(first);
    if (cidr && cidr.prefix > 0) found.push(cidr);
  }
  return found;
}

/** Networks of the `inet a.b.c.d/n` entries of `ip -4 addr` (or `ip -4 -o addr`) output. */
export function parseAddrNetworks(output: string): Ipv4Cidr[] {
  const found: Ipv4Cidr[] = [];
  for (const m of output.matchAll(/\binet\s+(\d+\.\d+\.\d+\.\d+\/\d+)/g)) {
    const cidr = m[1] === undefined ? undefined : parseCidr(m[1]);
    if (cidr && cidr.prefix > 0) found.push(cidr);
  }
  return found;
}

/** Every /16 of 10.0.0.0/8 then of 172.16.0.0/12: 272 candidates, in a fixed order. */
export function candidateSubnets(): Ipv4Cidr[] {
  const out: Ipv4Cidr[] = [];
  for (let b = 0; b < 256; b++) out.push({ base: ((10 << 24) | (b << 16)) >>> 0, prefix: 16 });
  for (let b = 16; b < 32; b++) out.push({ base: ((172 << 24) | (b << 16)) >>> 0, prefix: 16 });
  return out;
}

/**
 * The controller's /16: starting from a slot derived from its id (so the same controller on the
 * same host tends to get the same network back), the first candidate overlapping nothing in
 * `inUse`. Undefined when all 272 are taken.
 */
export function chooseSubnet(
  controllerId: string,
  inUse: readonly Ipv4Cidr[],
): Ipv4Cidr | undefined {
  const candidates = candidateSubnets();
  const start = Number.parseInt(controllerId, 16) % candidates.length;
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[(start + i) % candidates.length];
    if (candidate && !inUse.some((used) => overlaps(candidate, used))) return candidate;
  }
  return undefined;
}

/** The bridge (the machines' gateway) is `.0.1` of the /16. */
export function bridgeAddress(subnet: Ipv4Cidr): string {
  return formatIpv4(subnet.base + 1);
}

/**
 * Machine N is host number N + 2 of the /16 (N = 0 → .0.2, N = 254 → .1.0), unique per machine
 * id and never the network, the bridge or the broadcast address for N ≤ 65532.
 */
export function machineAddress(subnet: Ipv4Cidr, machineId: string): string {
  const n = Number(machineId);
  if (!/^\d+$/.test(machineId) || n > 65532) {
    throw new RangeError(`machine id ${JSON.stringify(machineId)} has no address in a /16`);
  }
  return formatIpv4(subnet.base + n + 2);
}
