// Starting a local machine's processes and waiting for its sshd: nsenter (its netns) → unshare
// (new mount/PID/UTS/IPC namespaces) → sh (builds the root, machine-script.ts) → setpriv → tini
// → sshd -D.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';
import { boundingSetArgument } from './boundary.js';
import { MachineCreateError } from './errors.js';
import type { HostTools } from './host-setup.js';
import { MACHINE_INIT_SCRIPT } from './machine-script.js';
import { machineMarker, NETNS_DIR } from './processes.js';
import { waitFor } from './wait.js';

/**
 * Starts unshare → sh (builds the root) → tini → sshd, detached so it outlives this call. `view`:
 * the skeleton its upper dir starts from (machine-view.ts).
 */
export async function startMachine(
  tools: HostTools,
  view: string,
  name: string,
  dir: string,
  network: { address: string; prefix: number; gateway: string },
): Promise<ChildProcess> {
  const log = await open(path.join(dir, 'console.log'), 'a', 0o600);
  try {
    // nsenter joins the machine's existing netns (unshare's --net=FILE would make a new one),
    // then execs unshare for the rest; `machineMarker` as $0 lets sweep() find the process.
    const args = [
      `--net=${NETNS_DIR}/${name}`,
      '--',
      tools.unshare,
      '--mount',
      '--pid',
      '--uts',
      '--ipc',
      '--fork',
      '--kill-child',
      '--propagation',
      'private',
      '--',
      tools.sh,
      '-c',
      MACHINE_INIT_SCRIPT,
      machineMarker(name),
      path.join(dir, 'root'),
      path.join(dir, 'upper'),
      path.join(dir, 'work'),
      path.join(dir, 'seed'),
      name,
      network.address,
      name,
      tools.tini,
      tools.sshd,
      tools.ip,
      String(network.prefix),
      network.gateway,
      tools.setpriv,
      boundingSetArgument(),
      view,
    ];
    const child = spawn(tools.nsenter, args, {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    child.unref();
    return child;
  } finally {
    await log.close();
  }
}

/** What sshd -D -e prints once its listener is up. */
const LISTENING = 'Server listening on';

/** Until sshd on address:22 answers with its `SSH-` banner; fails early if the machine died. */
export async function waitForSshd(
  child: ChildProcess,
  timeoutMs: number,
  machineId: string,
  dir: string,
  address: string,
): Promise<void> {
  const consoleLog = async (): Promise<string> =>
    (await readFile(path.join(dir, 'console.log'), 'utf8').catch(() => '')).slice(-4000);
  const started = Date.now();
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new MachineCreateError(
            machineId,
            'start-sshd',
            `the machine exited (${String(child.exitCode ?? child.signalCode)}) before sshd listened`,
            await consoleLog(),
          );
        }
        // Dialled only once sshd says it listens (its -e log is the console): the machine
        // configures its address as it starts, and a SYN sent before that waits out the
        // host's ARP retry (a second) however soon sshd is up. Later anyway, in case this sshd
        // logs differently.
        const said = (await consoleLog()).includes(LISTENING);
        if (!said && Date.now() - started < 2_000) return undefined;
        return (await sshBanner(address, 22)) ? true : undefined;
      },
      {
        what: `sshd on ${address}:22`,
        timeoutMs: timeoutMs,
        intervalMs: 5,
      },
    );
  } catch (error) {
    if (error instanceof MachineCreateError) throw error;
    throw new MachineCreateError(machineId, 'wait-sshd', String(error), await consoleLog());
  }
}

/** True when something on host:port answers with an SSH banner within a second. */
function sshBanner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data: Buffer) => done(data.toString('latin1').startsWith('SSH-')));
  });
}
