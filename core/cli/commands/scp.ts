// `rune scp SOURCE... DEST` (Juju's verb): OpenSSH's scp between this host and machines, where
// `N:PATH` or `UNIT:PATH` (APP/leader too) is a file on a machine and anything else a local path.
// Each machine is reached as `rune ssh` reaches it: its key, and only the host key Rune pinned.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SshAccess, StatusResponse } from '../../controller/api.js';
import { parseCommandLine } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { ScpTargetError, UsageError } from '../errors.js';

const usage = 'rune scp [-r] [-c CONTROLLER] [--] SOURCE... DEST';

export type Operand =
  { kind: 'local'; path: string } | { kind: 'remote'; target: string; path: string };

/** A machine id or a unit name (`etcd/0`, `etcd/leader`), then `:`; a local path otherwise,
 * even one with a colon in it (`./a:b`). */
const REMOTE = /^(\d+|[a-z][a-z0-9-]*\/(?:\d+|leader)):(.*)$/s;

export function parseOperand(word: string): Operand {
  const m = REMOTE.exec(word);
  return m
    ? { kind: 'remote', target: m[1] ?? '', path: m[2] ?? '' }
    : { kind: 'local', path: word };
}

/** The machine a target names: itself for a machine id, else its unit's (the leader's for
 * APP/leader). */
export function machineOf(target: string, status: StatusResponse): string {
  if (/^\d+$/.test(target)) return target;
  const [app = '', which = ''] = target.split('/');
  const units = status.applications?.[app]?.units ?? {};
  const name =
    which === 'leader'
      ? Object.keys(units).find((u) => units[u]?.leader === true)
      : units[target] !== undefined
        ? target
        : undefined;
  if (name === undefined) {
    throw new ScpTargetError(
      target,
      which === 'leader' ? `${app} has no leader (is it deployed?)` : 'no such unit',
    );
  }
  const machine = units[name]?.machine;
  if (machine === undefined) {
    throw new ScpTargetError(
      target,
      'a subordinate unit has no machine of its own; name its principal',
    );
  }
  return machine;
}

/** The host alias scp is given for a machine; the config file below says how to reach it. */
export const hostAlias = (machine: string): string => `rune-machine-${machine}`;

const quoted = (path: string): string => `"${path.replace(/(["\\])/g, '\\$1')}"`;

/** An ssh_config for the machines, each checked against only its pinned key. */
export function sshConfig(machines: ReadonlyMap<string, SshAccess>, knownHosts: string): string {
  return [...machines]
    .map(([id, a]) =>
      [
        `Host ${hostAlias(id)}`,
        `  HostName ${a.address}`,
        `  Port ${a.port}`,
        `  User ${a.user}`,
        `  IdentityFile ${quoted(a.keyFile)}`,
        '  IdentitiesOnly yes',
        `  HostKeyAlias ${hostAlias(id)}`,
        `  UserKnownHostsFile ${quoted(knownHosts)}`,
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  LogLevel ERROR',
      ].join('\n'),
    )
    .join('\n');
}

export function knownHostsFile(machines: ReadonlyMap<string, SshAccess>): string {
  return [...machines].map(([id, a]) => `${hostAlias(id)} ${a.hostPublicKey}\n`).join('');
}

/** scp's argv after `-F CONFIG`: -3 so a copy between two machines passes through this host,
 * which alone holds their keys. */
export function scpArgs(
  operands: readonly Operand[],
  machineFor: (target: string) => string,
  recursive: boolean,
): string[] {
  return [
    '-3',
    ...(recursive ? ['-r'] : []),
    ...operands.map((o) =>
      o.kind === 'local' ? o.path : `${hostAlias(machineFor(o.target))}:${o.path}`,
    ),
  ];
}

export const scp: Command = {
  usage,
  help: [
    'Copies files between this host and machines with OpenSSH scp, as juju scp does. A file on a',
    "machine is N:PATH (machine N) or UNIT:PATH (the unit's machine; APP/leader for the leader's);",
    'anything else is a local path. The machine must present the host key Rune recorded.',
    '',
    'Examples:',
    '  rune scp etcd/0:/var/backups/etcd/etcd-snapshot-2024-05-01-10.00.00.tar.gz .',
    '  rune scp ./snapshot.tar.gz etcd/leader:/root/',
    '',
    'Flags:',
    '  -r, --recursive    copy folders and what they hold',
    '  -c, --controller   the controller to use (default: the current one)',
  ].join('\n'),
  async run(args, io) {
    const { values, words } = parseCommandLine(
      args,
      { recursive: { type: 'boolean', short: 'r' }, controller: { type: 'string', short: 'c' } },
      usage,
    );
    if (words.length < 2) throw new UsageError('scp needs a source and a destination', usage);
    const operands = words.map(parseOperand);
    const targets = [...new Set(operands.flatMap((o) => (o.kind === 'remote' ? [o.target] : [])))];
    if (targets.length === 0) {
      throw new UsageError(
        'scp copies to or from a machine: name one as N:PATH or UNIT:PATH',
        usage,
      );
    }
    const client = await controllerClient(io, values.controller);
    let status: StatusResponse | undefined;
    const machineFor = new Map<string, string>();
    for (const target of targets) {
      // Status only when a unit is named: a machine id is its own answer.
      if (!/^\d+$/.test(target)) status ??= await client.status(false);
      machineFor.set(target, status === undefined ? target : machineOf(target, status));
    }
    const access = new Map<string, SshAccess>();
    for (const machine of new Set(machineFor.values())) {
      access.set(machine, await client.sshAccess(machine));
    }
    const dir = mkdtempSync(join(tmpdir(), 'rune-scp-'));
    try {
      const knownHosts = join(dir, 'known_hosts');
      const config = join(dir, 'ssh_config');
      writeFileSync(knownHosts, knownHostsFile(access));
      writeFileSync(config, `${sshConfig(access, knownHosts)}\n`, { mode: 0o600 });
      const argv = scpArgs(operands, (t) => machineFor.get(t) ?? t, values.recursive === true);
      const result = spawnSync('scp', ['-F', config, ...argv], { stdio: 'inherit' });
      if (result.error) throw result.error;
      return result.status ?? 255;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
