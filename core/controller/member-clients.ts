// A client of each member of a highly available controller, as this host's CLI reaches it: a
// member on this host by its socket, one on another host (enable-ha --to) over TCP, trusting the
// controller's own API CA, with the session token enable-ha kept for this host.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from './api-client.js';
import { apiTlsDir } from './api-tls.js';
import { allMemberPaths } from './member-paths.js';
import { controllerPaths } from './paths.js';
import type { ControllerInfo, HaHost, HaInfo } from './registry.js';

/** Member `n`'s host when it runs on another one. */
export function memberHost(ha: HaInfo, n: number): HaHost | undefined {
  return ha.hosts?.find((h) => h.member === n);
}

/** One client per member, in member order. */
export function memberClients(home: string, info: ControllerInfo & { ha: HaInfo }): ApiClient[] {
  const paths = controllerPaths(home, info.name);
  const { ha } = info;
  const caFile = join(apiTlsDir(paths.dir), 'ca.pem');
  return allMemberPaths(paths, ha).map((p, n) => {
    const host = memberHost(ha, n);
    if (host === undefined) return new ApiClient(info.name, p.socket);
    const token =
      ha.tokenFile !== undefined && existsSync(ha.tokenFile)
        ? readFileSync(ha.tokenFile, 'utf8').trim()
        : undefined;
    return new ApiClient(info.name, p.socket, {
      addresses: [host.api],
      ca: readFileSync(caFile, 'utf8'),
      ...(token === undefined ? {} : { token }),
      // The member's host has this host's Rune and charms at the same paths (enable-ha --to
      // checked it): a charm folder or bundle named by path is read there.
      sameFiles: true,
    });
  });
}
