// `rune ssh N [COMMAND...]`: OpenSSH to a machine with the controller's key, checking the host
// key Rune pinned (a throwaway known_hosts holds only that key).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCommandLine } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune ssh N [-c CONTROLLER] [-- COMMAND...]';

export const ssh: Command = {
  usage,
  help: [
    'Opens an interactive shell on machine N, or runs COMMAND there, with OpenSSH. The host',
    'must present the key Rune recorded when the machine was added.',
  ].join('\n'),
  async run(args, io) {
    const { values, words } = parseCommandLine(
      args,
      { controller: { type: 'string', short: 'c' } },
      usage,
    );
    const [machine, ...command] = words;
    if (machine === undefined) throw new UsageError('ssh needs a machine id', usage);
    const client = await controllerClient(io, values.controller);
    const access = await client.sshAccess(machine);
    const dir = mkdtempSync(join(tmpdir(), 'rune-ssh-'));
    try {
      const knownHosts = join(dir, 'known_hosts');
      const host = access.port === 22 ? access.address : `[${access.address}]:${access.port}`;
      writeFileSync(knownHosts, `${host} ${access.hostPublicKey}\n`);
      const result = spawnSync(
        'ssh',
        [
          '-i',
          access.keyFile,
          '-o',
          `UserKnownHostsFile=${knownHosts}`,
          '-o',
          'StrictHostKeyChecking=yes',
          '-o',
          'IdentitiesOnly=yes',
          '-o',
          'LogLevel=ERROR',
          '-p',
          String(access.port),
          `${access.user}@${access.address}`,
          ...command,
        ],
        { stdio: 'inherit' },
      );
      if (result.error) throw result.error;
      return result.status ?? 255;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
