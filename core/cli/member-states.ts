// What each member of a highly available controller is doing, as `rune controllers` and
// `rune status` show it: each member is asked (its socket, or its API over TCP when it runs on
// another host), none waited on for more than a second.
import { memberClients, memberHost } from '../controller/member-clients.js';
import type { ControllerInfo } from '../controller/registry.js';

/** `member 0 active (pid 12), member 1 standing by (pid 13), member 2 stopped` */
export async function memberStates(home: string, info: ControllerInfo): Promise<string> {
  const { ha } = info;
  if (!ha) return '';
  const states = await Promise.all(
    memberClients(home, { ...info, ha }).map((client, n) => {
      // A member on another host (enable-ha --to) is named with its machine and address.
      const host = memberHost(ha, n);
      const where = host ? ` on machine ${host.machine} (${host.address})` : '';
      return client.ping(1000).then(
        (p) => `member ${n}${where} ${p.member?.active ? 'active' : 'standing by'} (pid ${p.pid})`,
        () => `member ${n}${where} ${host ? 'not answering' : 'stopped'}`,
      );
    }),
  );
  return states.join(', ');
}
