// The machine a charm's hooks see (ctx.machine): the unit's RemoteMachine, its services behind
// one API (systemd or Rune's supervisor), and OS packages installed with apt only when missing.
import type { CharmMachine } from '../../core/charm/context-types.js';
import { services } from '../machine/services.js';
import type { MachineFacts, RemoteMachine } from '../../core/model/machine.js';
import { RuneError } from '../../core/model/errors.js';

export class PackageInstallError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly machine: string,
    readonly packages: readonly string[],
    readonly detail: string,
  ) {
    super(`cannot install ${packages.join(', ')} on machine ${machine}: ${detail}`);
  }
}

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+:~-]+)?$/;

export function charmMachine(
  remote: RemoteMachine,
  facts: MachineFacts,
  machineId: string,
): CharmMachine {
  return {
    hostname: facts.hostname,
    run: (command, options) => remote.run(command, options),
    writeFile: (path, data, options) => remote.writeFile(path, data, options),
    writeFiles: (files) => remote.writeFiles(files),
    readFile: (path) => remote.readFile(path),
    services: services(remote, facts, { machineName: machineId }),
    async installPackages(names) {
      const bad = names.filter((n) => !PACKAGE.test(n));
      if (bad.length > 0) throw new PackageInstallError(machineId, bad, 'not Debian package names');
      if (names.length === 0) return;
      // dpkg first: a hook re-run (hooks are idempotent) must not pay for apt each time.
      const query = await remote.run(
        `dpkg-query -W -f='\${Package} \${Status}\\n' ${names.join(' ')} 2>/dev/null`,
      );
      const installed = new Set(
        query.stdout
          .toString()
          .split('\n')
          .filter((l) => l.endsWith(' installed'))
          .map((l) => l.split(' ')[0]),
      );
      const missing = names.filter((n) => !installed.has(n.split('=')[0] ?? n));
      if (missing.length === 0) return;
      const result = await remote.run(
        `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing.join(' ')}`,
        { timeoutMs: 600_000 },
      );
      if (result.code !== 0) {
        const tail = result.stderr.toString().trim().split('\n').slice(-3).join(' / ');
        throw new PackageInstallError(machineId, missing, tail || `apt-get exited ${result.code}`);
      }
    },
  };
}
