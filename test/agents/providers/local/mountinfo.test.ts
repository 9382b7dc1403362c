// /proc/self/mountinfo parsing for the local provider: escaped paths, and which mounts lie
// under a machine's directory (deepest first, never a sibling that merely shares a prefix).
import { describe, expect, it } from 'vitest';
import { mountsUnder, parseMountinfo } from '../../../../agents/providers/local/mountinfo.js';

const MOUNTINFO = `22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
30 22 0:5 / /proc rw,nosuid - proc proc rw
41 22 0:40 / /run/netns rw shared:5 - tmpfs tmpfs rw
42 41 0:4 net:[4026532290] /run/netns/rune-abc123-1 rw shared:6 - nsfs nsfs rw
50 22 0:50 / /var/lib/rune/machines/rune-abc123-1/root rw - overlay rune-abc123-1 rw,lowerdir=/
51 50 0:51 / /var/lib/rune/machines/rune-abc123-1/root/proc rw - proc proc rw
60 22 0:60 / /var/lib/rune/machines/rune-abc123-10/root rw - overlay rune-abc123-10 rw
61 22 0:61 / /srv/with\\040space rw - tmpfs my\\040tmp rw
`;

describe('parseMountinfo', () => {
  it('reads mount point, type and source, unescaping octal escapes', () => {
    const entries = parseMountinfo(MOUNTINFO);
    expect(entries).toHaveLength(8);
    expect(entries[3]).toEqual({
      mountPoint: '/run/netns/rune-abc123-1',
      fsType: 'nsfs',
      source: 'nsfs',
    });
    expect(entries[7]).toEqual({
      mountPoint: '/srv/with space',
      fsType: 'tmpfs',
      source: 'my tmp',
    });
  });
});

describe('mountsUnder', () => {
  it('lists the mounts under a machine dir deepest first, not its prefix-sharing sibling', () => {
    const under = mountsUnder(parseMountinfo(MOUNTINFO), '/var/lib/rune/machines/rune-abc123-1');
    expect(under.map((m) => m.mountPoint)).toEqual([
      '/var/lib/rune/machines/rune-abc123-1/root/proc',
      '/var/lib/rune/machines/rune-abc123-1/root',
    ]);
  });
});
