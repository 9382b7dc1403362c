// The local provider's address plan: parsing `ip` output, a /16 per controller that overlaps no
// existing route, and one address per machine that is never the bridge's or another machine's.
import { describe, expect, it } from 'vitest';
import {
  bridgeAddress,
  candidateSubnets,
  chooseSubnet,
  formatCidr,
  machineAddress,
  overlaps,
  parseAddrNetworks,
  parseCidr,
  parseRouteDestinations,
} from '../../../../agents/providers/local/addresses.js';
import type { Ipv4Cidr } from '../../../../agents/providers/local/addresses.js';

const cidr = (text: string): Ipv4Cidr => {
  const parsed = parseCidr(text);
  if (!parsed) throw new Error(`bad test cidr ${text}`);
  return parsed;
};

const ROUTES = `default via 192.0.2.1 dev eth0
10.0.0.0/8 via 192.0.2.254 dev eth0 proto static
172.17.0.0/16 dev docker0 proto kernel scope link src 172.17.0.1 linkdown
192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1
broadcast 192.0.2.255 dev eth0 table local proto kernel scope link src 192.0.2.2
blackhole 172.20.0.0/14
`;

const ADDRS = `1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever
7: wg0    inet 172.16.5.9/24 scope global wg0
`;

describe('parsing ip output', () => {
  it('takes route destinations, skipping default and reading past route types', () => {
    expect(parseRouteDestinations(ROUTES).map(formatCidr)).toEqual([
      '10.0.0.0/8',
      '172.17.0.0/16',
      '192.0.2.0/24',
      '127.0.0.1/32',
      '192.0.2.255/32',
      '172.20.0.0/14',
    ]);
  });

  it('takes address networks with host bits cleared', () => {
    expect(parseAddrNetworks(ADDRS).map(formatCidr)).toEqual([
      '127.0.0.0/8',
      '192.0.2.0/24',
      '172.16.5.0/24',
    ]);
  });

  it.each(['10.0.0.256/16', '10.0.0.1/33', '10.0.0/8', 'default', '10.0.0.1/16/2'])(
    'refuses %s',
    (text) => {
      expect(parseCidr(text)).toBeUndefined();
    },
  );
});

describe('chooseSubnet', () => {
  it('avoids everything routed on the host: 10/8 taken, 172.16.5/24, 172.17/16, 172.20/14', () => {
    const inUse = [...parseRouteDestinations(ROUTES), ...parseAddrNetworks(ADDRS)];
    const forbidden = ['172.16.0.0/16', '172.17.0.0/16', '172.20.0.0/16', '172.23.0.0/16'];
    for (const id of ['000000', '0a1b2c', 'ffffff', '123456', 'deadbe']) {
      const chosen = chooseSubnet(id, inUse);
      expect(chosen).toBeDefined();
      if (!chosen) continue;
      expect(inUse.some((used) => overlaps(chosen, used))).toBe(false);
      expect(formatCidr(chosen)).toMatch(/^172\.(1[89]|2[4-9]|3[01])\.0\.0\/16$/);
      expect(forbidden).not.toContain(formatCidr(chosen));
    }
  });

  it('is deterministic for a controller id and spreads different ids apart', () => {
    expect(chooseSubnet('0a1b2c', [])).toEqual(chooseSubnet('0a1b2c', []));
    const chosen = new Set(
      ['000001', '000002', '000003'].map((id) =>
        formatCidr(chooseSubnet(id, []) ?? cidr('0.0.0.0/0')),
      ),
    );
    expect(chosen.size).toBe(3);
  });

  it("does not pick another controller's /16 once it is routed", () => {
    const first = chooseSubnet('000005', []);
    expect(first).toBeDefined();
    if (!first) return;
    const second = chooseSubnet('000005', [first]);
    expect(second && overlaps(first, second)).toBe(false);
  });

  it('returns undefined when every candidate is taken', () => {
    expect(chooseSubnet('abcdef', [cidr('10.0.0.0/8'), cidr('172.16.0.0/12')])).toBeUndefined();
    expect(candidateSubnets()).toHaveLength(272);
  });
});

describe('addresses in the /16', () => {
  const subnet = cidr('10.42.0.0/16');

  it('gives the bridge .0.1 and machines unique addresses that are never the bridge', () => {
    expect(bridgeAddress(subnet)).toBe('10.42.0.1');
    expect(machineAddress(subnet, '0')).toBe('10.42.0.2');
    expect(machineAddress(subnet, '254')).toBe('10.42.1.0');
    expect(machineAddress(subnet, '65532')).toBe('10.42.255.254');
    const seen = new Set<string>([bridgeAddress(subnet)]);
    for (let n = 0; n <= 65532; n += 1) seen.add(machineAddress(subnet, String(n)));
    expect(seen.size).toBe(65534);
  });

  it('refuses machine ids with no room in the /16', () => {
    expect(() => machineAddress(subnet, '65533')).toThrow(RangeError);
  });
});
