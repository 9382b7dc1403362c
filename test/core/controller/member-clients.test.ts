// How this host's CLI reaches each member (core/controller/member-clients.ts, api-remote.ts):
// one on this host by its socket, one placed on another host by enable-ha --to over TCP at that
// host's address, trusting the controller's API CA, with this host's token; add-user's string
// lists each member at its own address.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiAddresses } from '../../../core/controller/api-remote.js';
import { memberClients } from '../../../core/controller/member-clients.js';
import { controllerPaths } from '../../../core/controller/paths.js';
import type { ControllerInfo, HaHost, HaInfo } from '../../../core/controller/registry.js';

const host = (member: number, address: string): HaHost => ({
  member,
  machine: String(member - 1),
  address,
  sshPort: 22,
  user: 'root',
  keyFile: '/k',
  hostKey: 'SHA256:x',
  api: `${address}:17070`,
  node: '/usr/bin/node',
});

function placed(home: string): ControllerInfo & { ha: HaInfo } {
  const dir = controllerPaths(home, 'hq').dir;
  mkdirSync(join(dir, 'api-tls'), { recursive: true });
  writeFileSync(join(dir, 'api-tls', 'ca.pem'), 'CA PEM');
  writeFileSync(join(dir, 'host.token'), 'tok\n', { mode: 0o600 });
  return {
    name: 'hq',
    id: 'abcdef',
    provider: 'manual',
    createdAt: '2026-12-07T00:00:00Z',
    api: { host: '127.0.0.1', ports: [4100, 17070, 17070], hosts: ['', '10.1.0.2', '10.1.0.3'] },
    ha: {
      members: 3,
      store: { endpoints: [], tls: { caFile: '', certFile: '', keyFile: '' } },
      clusterFile: join(dir, 'ha', 'cluster.json'),
      enabledAt: '2026-12-07T00:00:00Z',
      hosts: [host(1, '10.1.0.2'), host(2, '10.1.0.3')],
      tokenFile: join(dir, 'host.token'),
    },
  };
}

describe('members on other hosts', () => {
  it("are reached over TCP at their host's address, with this host's token and the API CA", () => {
    const home = mkdtempSync(join(tmpdir(), 'rune-members-'));
    const clients = memberClients(home, placed(home));
    expect(clients[0]?.remote).toBeUndefined();
    expect(clients[0]?.socket).toBe(join(controllerPaths(home, 'hq').dir, 'members/0/api.sock'));
    expect(clients.slice(1).map((c) => c.remote)).toEqual([
      { addresses: ['10.1.0.2:17070'], ca: 'CA PEM', token: 'tok', sameFiles: true },
      { addresses: ['10.1.0.3:17070'], ca: 'CA PEM', token: 'tok', sameFiles: true },
    ]);
  });

  it("are listed at their own addresses in add-user's string", () => {
    const home = mkdtempSync(join(tmpdir(), 'rune-members-'));
    expect(apiAddresses(placed(home))).toEqual([
      '127.0.0.1:4100',
      '10.1.0.2:17070',
      '10.1.0.3:17070',
    ]);
  });
});
