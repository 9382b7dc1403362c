// The local machines' boundary policy: which host paths a machine sees (the system, not homes,
// /tmp or a Rune home) and the capability bounding set handed to setpriv.
import { describe, expect, it } from 'vitest';
import {
  boundingSetArgument,
  hiddenPaths,
  MACHINE_CAPABILITIES,
} from '../../../../agents/providers/local/boundary.js';
import type { TopLevelEntry } from '../../../../agents/providers/local/boundary.js';

const dir = (name: string): TopLevelEntry => ({ name, kind: 'dir' });
const HOST: TopLevelEntry[] = [
  ...['bin', 'etc', 'home', 'lib', 'mnt', 'opt', 'proc', 'root', 'run', 'srv'].map(dir),
  ...['sys', 'tmp', 'usr', 'var', 'work', 'lost+found'].map(dir),
  { name: 'container_info.json', kind: 'other' },
  { name: 'lib64', kind: 'symlink' },
  { name: 'initrd.img', kind: 'symlink' },
];

describe('hiddenPaths', () => {
  it('empties homes, /tmp, /var/tmp and every unshared directory; removes stray files', () => {
    expect(hiddenPaths(HOST, [])).toEqual([
      { path: '/container_info.json', as: 'gone' },
      { path: '/home', as: 'empty' },
      { path: '/initrd.img', as: 'gone' },
      { path: '/lost+found', as: 'empty' },
      { path: '/mnt', as: 'empty' },
      { path: '/root', as: 'empty' },
      { path: '/srv', as: 'empty' },
      { path: '/tmp', as: 'empty' },
      { path: '/var/tmp', as: 'empty' },
      { path: '/work', as: 'empty' },
    ]);
  });

  it('keeps the system a machine installs packages from: /usr, /etc, /var, /opt, /lib64', () => {
    const hidden = hiddenPaths(HOST, []).map((h) => h.path);
    for (const shared of ['/usr', '/etc', '/var', '/opt', '/bin', '/lib', '/lib64'])
      expect(hidden).not.toContain(shared);
  });

  it('hides a Rune home inside a shared directory, once, after its parents', () => {
    const hidden = hiddenPaths(HOST, ['/var/lib/rune/', '/var/lib/rune/controllers/dev']);
    expect(hidden.filter((h) => h.path.startsWith('/var/lib'))).toEqual([
      { path: '/var/lib/rune', as: 'empty' },
    ]);
  });

  it('shares a top-level directory only when asked (a checkout in /work, for tests)', () => {
    const hidden = hiddenPaths(HOST, [], ['work']).map((h) => h.path);
    expect(hidden).not.toContain('/work');
    expect(hidden).toContain('/home');
    expect(hidden).toContain('/tmp');
  });

  it('adds nothing for a Rune home already hidden (under /tmp or a home) or mounted afresh', () => {
    const base = hiddenPaths(HOST, []);
    expect(hiddenPaths(HOST, ['/tmp/rune-home-x', '/root/.local/share/rune'])).toEqual(base);
    expect(hiddenPaths(HOST, ['/run/rune', '/proc/1', 'relative/path'])).toEqual(base);
  });
});

describe('boundingSetArgument', () => {
  it('drops every capability, then keeps only those a machine needs', () => {
    const arg = boundingSetArgument();
    expect(arg.startsWith('-all,')).toBe(true);
    expect(arg.split(',').slice(1)).toEqual(MACHINE_CAPABILITIES.map((c) => `+${c}`));
  });

  it('never keeps one that reaches past the machine: sys_admin, sys_module, mknod...', () => {
    const dangerous = ['sys_admin', 'sys_module', 'sys_rawio', 'sys_boot', 'sys_time', 'mknod'];
    const more = ['mac_admin', 'mac_override', 'syslog', 'dac_read_search', 'sys_ptrace', 'bpf'];
    for (const cap of [...dangerous, ...more])
      expect(MACHINE_CAPABILITIES as readonly string[]).not.toContain(cap);
  });
});
