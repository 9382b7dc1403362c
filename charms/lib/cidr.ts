// IPv4 CIDR arithmetic for config values (flannel's cidr, the master's service-cidr). Pure.

export interface Ipv4Cidr {
  /** The network address as an unsigned 32-bit number (host bits cleared). */
  network: number;
  prefix: number;
  /** Normalized: the network address (host bits cleared) and the prefix, `10.1.0.0/16`. */
  text: string;
}

const OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
const CIDR = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(3[0-2]|[12]?[0-9])$`);

export function parseIpv4Cidr(value: string): Ipv4Cidr | undefined {
  const m = CIDR.exec(value.trim());
  if (!m) return undefined;
  const [a, b, c, d, p] = m.slice(1).map(Number) as [number, number, number, number, number];
  const address = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
  const network = (address & mask) >>> 0;
  return { network, prefix: p, text: `${formatIpv4(network)}/${p}` };
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 0xff).join('.');
}

/** The n-th address of the network: 1 is Kubernetes' service IP, 10 its DNS service's. */
export function hostAddress(cidr: Ipv4Cidr, n: number): string {
  return formatIpv4((cidr.network + n) >>> 0);
}
