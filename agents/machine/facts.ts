// Machine facts (DESIGN §4): the one command that gathers them and the pure parser of its output.
// Each section starts with a `== name` line so a missing tool only blanks its own section.
import type { MachineFacts } from '../../core/model/machine.js';

export const FACTS_COMMAND = [
  "echo '== os-release'; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null",
  "echo '== arch'; uname -m",
  "echo '== cores'; getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null",
  "echo '== meminfo'; grep '^MemTotal:' /proc/meminfo",
  "echo '== rootdisk'; df -Pk / 2>/dev/null | tail -n 1",
  "echo '== addresses'; ip -4 -o addr show 2>/dev/null || hostname -I 2>/dev/null",
  "echo '== hostname'; cat /proc/sys/kernel/hostname 2>/dev/null || uname -n",
  "echo '== systemd'; if [ -d /run/systemd/system ]; then echo yes; else echo no; fi",
  "echo '== snapd'; if command -v snap >/dev/null 2>&1; then echo yes; else echo no; fi",
].join('\n');

/** `uname -m` to Juju's arch names; unknown ones pass through unchanged. */
const ARCH: Record<string, string> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  armv7l: 'armhf',
  armv6l: 'armhf',
  ppc64le: 'ppc64el',
  s390x: 's390x',
  riscv64: 'riscv64',
  i386: 'i386',
  i686: 'i386',
};

export function parseFacts(text: string): MachineFacts {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split('\n')) {
    const header = /^== (\S+)$/.exec(line);
    if (header?.[1]) {
      current = [];
      sections.set(header[1], current);
    } else current?.push(line);
  }
  const section = (name: string) => (sections.get(name) ?? []).filter((l) => l.trim() !== '');
  const first = (name: string) => section(name)[0]?.trim() ?? '';

  const osRelease = parseOsRelease(section('os-release'));
  const arch = first('arch');
  const memKb = /^MemTotal:\s+(\d+)\s*kB/.exec(first('meminfo'))?.[1];
  // `df -Pk` columns: filesystem, 1024-blocks, used, available, capacity, mount point.
  const diskKb = first('rootdisk').split(/\s+/)[1];
  return {
    os: osRelease.get('ID') ?? 'unknown',
    osVersion: osRelease.get('VERSION_ID') ?? '',
    arch: ARCH[arch] ?? arch,
    cores: toInt(first('cores')),
    memoryBytes: toInt(memKb) * 1024,
    rootDiskBytes: toInt(diskKb) * 1024,
    addresses: parseAddresses(section('addresses')),
    hostname: first('hostname'),
    systemd: first('systemd') === 'yes',
    snapd: first('snapd') === 'yes',
  };
}

/** os-release lines are `KEY=value` with shell-style optional quoting. */
export function parseOsRelease(lines: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of lines) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m?.[1]) continue;
    let value = m[2] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    values.set(m[1], value);
  }
  return values;
}

/** From `ip -4 -o addr show` (or `hostname -I`): non-loopback IPv4, unique, sorted numerically. */
function parseAddresses(lines: readonly string[]): string[] {
  const found = new Set<string>();
  for (const line of lines) {
    const words = line.includes(' inet ')
      ? [/ inet (\d+\.\d+\.\d+\.\d+)/.exec(line)?.[1] ?? '']
      : line.trim().split(/\s+/);
    for (const word of words) {
      if (/^\d+\.\d+\.\d+\.\d+$/.test(word) && !word.startsWith('127.')) found.add(word);
    }
  }
  const key = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  return [...found].sort((a, b) => key(a) - key(b));
}

function toInt(text: string | undefined): number {
  const n = Number.parseInt(text ?? '', 10);
  return Number.isFinite(n) ? n : 0;
}
