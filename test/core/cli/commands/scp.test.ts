// `rune scp`'s pure parts: which words name a machine's file, which machine a unit is on, and
// the ssh_config and known_hosts that let scp reach only the pinned host keys.
import { describe, expect, it } from 'vitest';
import type { SshAccess, StatusResponse } from '../../../../core/controller/api.js';
import {
  knownHostsFile,
  machineOf,
  parseOperand,
  scpArgs,
  sshConfig,
} from '../../../../core/cli/commands/scp.js';

const unit = (machine: string | undefined, leader = false) => ({
  'workload-status': { current: 'active', message: '' },
  'agent-status': { current: 'idle', message: '' },
  'public-address': '10.0.0.1',
  ...(machine === undefined ? {} : { machine }),
  ...(leader ? { leader: true } : {}),
});
const status = {
  applications: {
    etcd: { units: { 'etcd/0': unit('1'), 'etcd/1': unit('2', true) } },
    flannel: { units: { 'flannel/0': unit(undefined) } },
  },
} as unknown as StatusResponse;

describe('rune scp operands', () => {
  it.each([
    ['0:/var/backups/x.tar.gz', { kind: 'remote', target: '0', path: '/var/backups/x.tar.gz' }],
    ['etcd/3:/root/a b', { kind: 'remote', target: 'etcd/3', path: '/root/a b' }],
    ['kubernetes-master/leader:', { kind: 'remote', target: 'kubernetes-master/leader', path: '' }],
    ['.', { kind: 'local', path: '.' }],
    ['./a:b', { kind: 'local', path: './a:b' }],
    ['/tmp/x:1', { kind: 'local', path: '/tmp/x:1' }],
    ['etcd:/x', { kind: 'local', path: 'etcd:/x' }],
  ])('%s', (word, expected) => {
    expect(parseOperand(word)).toEqual(expected);
  });
});

describe('rune scp targets', () => {
  it('a machine id is itself; a unit is its machine; APP/leader the leader’s', () => {
    expect(machineOf('7', status)).toBe('7');
    expect(machineOf('etcd/0', status)).toBe('1');
    expect(machineOf('etcd/leader', status)).toBe('2');
  });

  it('refuses a unit the model lacks, an app with no leader, and a subordinate', () => {
    expect(() => machineOf('etcd/9', status)).toThrow(
      'cannot copy to or from etcd/9: no such unit',
    );
    expect(() => machineOf('easyrsa/leader', status)).toThrow(
      'cannot copy to or from easyrsa/leader: easyrsa has no leader (is it deployed?)',
    );
    expect(() => machineOf('flannel/0', status)).toThrow(/subordinate unit has no machine/);
  });
});

describe('rune scp ssh_config', () => {
  const access: SshAccess = {
    address: '10.20.0.5',
    port: 2222,
    user: 'ubuntu',
    keyFile: '/home/me/.local/share/rune/id ed25519',
    hostPublicKey: 'ssh-ed25519 AAAAC3Nza',
  };
  const machines = new Map([['4', access]]);

  it('reaches each machine by an alias, with its key, checking only its pinned host key', () => {
    expect(sshConfig(machines, '/tmp/rune-scp-x/known_hosts').split('\n')).toEqual([
      'Host rune-machine-4',
      '  HostName 10.20.0.5',
      '  Port 2222',
      '  User ubuntu',
      '  IdentityFile "/home/me/.local/share/rune/id ed25519"',
      '  IdentitiesOnly yes',
      '  HostKeyAlias rune-machine-4',
      '  UserKnownHostsFile "/tmp/rune-scp-x/known_hosts"',
      '  StrictHostKeyChecking yes',
      '  BatchMode yes',
      '  LogLevel ERROR',
    ]);
    expect(knownHostsFile(machines)).toBe('rune-machine-4 ssh-ed25519 AAAAC3Nza\n');
  });

  it('names machine files by alias and leaves local paths alone', () => {
    const operands = ['etcd/0:/var/backups/s.tar.gz', '.'].map(parseOperand);
    expect(scpArgs(operands, () => '1', true)).toEqual([
      '-3',
      '-r',
      'rune-machine-1:/var/backups/s.tar.gz',
      '.',
    ]);
  });
});
