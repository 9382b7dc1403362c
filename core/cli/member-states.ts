// What each member of a highly available controller is doing, as `rune controllers` and
// `rune status` show it: each member's socket is asked, none waited on for more than a second.
import { ApiClient } from '../controller/api-client.js';
import { allMemberPaths } from '../controller/member-paths.js';
import { controllerPaths } from '../controller/paths.js';
import type { ControllerInfo } from '../controller/registry.js';

/** `member 0 active (pid 12), member 1 standing by (pid 13), member 2 stopped` */
export async function memberStates(home: string, info: ControllerInfo): Promise<string> {
  if (!info.ha) return '';
  const members = allMemberPaths(controllerPaths(home, info.name), info.ha);
  const states = await Promise.all(
    members.map((paths, n) =>
      new ApiClient(info.name, paths.socket).ping(1000).then(
        (p) => `member ${n} ${p.member?.active ? 'active' : 'standing by'} (pid ${p.pid})`,
        () => `member ${n} stopped`,
      ),
    ),
  );
  return states.join(', ');
}
