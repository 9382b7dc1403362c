// parseFacts on output shaped like the facts command's on real Debian and Ubuntu machines.
import { describe, expect, test } from 'vitest';
import { parseFacts, parseOsRelease } from '../../../agents/machine/facts.js';

const UBUNTU = `== os-release
PRETTY_NAME="Ubuntu 22.04.4 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION="22.04.4 LTS (Jammy Jellyfish)"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian
HOME_URL="https://www.ubuntu.com/"
== arch
aarch64
== cores
4
== meminfo
MemTotal:        8138212 kB
== rootdisk
/dev/sda1         101430960  5384520  96029656       6% /
== addresses
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
2: eth0    inet 10.0.0.10/24 brd 10.0.0.255 scope global eth0\\       valid_lft forever
3: eth1    inet 10.0.0.9/24 brd 10.0.0.255 scope global eth1\\       valid_lft forever
4: rune0    inet 192.168.7.1/16 scope global rune0\\       valid_lft forever
== hostname
juju-node-1
== systemd
yes
== snapd
yes
`;

const DEBIAN_MINIMAL = `== os-release
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
== arch
x86_64
== cores
2
== meminfo
MemTotal:       24684084 kB
== rootdisk
overlay 264211888 12345 1234 1% /
== addresses
192.0.2.2 127.0.0.1
== hostname
vm
== systemd
no
== snapd
no
`;

describe('parseFacts', () => {
  test('reads a systemd Ubuntu machine on arm64', () => {
    expect(parseFacts(UBUNTU)).toEqual({
      os: 'ubuntu',
      osVersion: '22.04',
      arch: 'arm64',
      cores: 4,
      memoryBytes: 8138212 * 1024,
      rootDiskBytes: 101430960 * 1024,
      addresses: ['10.0.0.9', '10.0.0.10', '192.168.7.1'],
      hostname: 'juju-node-1',
      systemd: true,
      snapd: true,
    });
  });

  test('reads a Debian container with hostname -I addresses', () => {
    const facts = parseFacts(DEBIAN_MINIMAL);
    expect(facts).toMatchObject({ os: 'debian', osVersion: '12', arch: 'amd64' });
    expect(facts.addresses).toEqual(['192.0.2.2']);
    expect(facts.systemd).toBe(false);
    expect(facts.snapd).toBe(false);
  });

  test('a missing tool blanks only its own fact', () => {
    const facts = parseFacts(UBUNTU.replace('== cores\n4\n', '== cores\n'));
    expect(facts.cores).toBe(0);
    expect(facts.os).toBe('ubuntu');
  });
});

describe('parseOsRelease', () => {
  test('unquotes values the way the shell would', () => {
    const values = parseOsRelease([
      'ID=arch',
      `NAME='Arch Linux'`,
      'X="say \\"hi\\""',
      '# comment',
    ]);
    expect(values.get('ID')).toBe('arch');
    expect(values.get('NAME')).toBe('Arch Linux');
    expect(values.get('X')).toBe('say "hi"');
  });
});
