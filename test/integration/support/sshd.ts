// A real OpenSSH sshd on 127.0.0.1 for integration tests and benchmarks: its own temp dir, host
// key and client key; stop/restart kill every process it forked (connections included), and the
// host key can be swapped to exercise pinning. Needs root and Debian's openssh-server.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// ssh2 is CommonJS and Node's ESM loader does not see `utils` as a named export.
import { newEd25519KeyPair } from '../../../agents/machine/ed25519-keys.js';
import type { SshTarget } from '../../../core/model/machine.js';
import { waitFor as coreWaitFor } from '../../../core/controller/wait-for.js';

export interface Sshd {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  /** Private key the sshd accepts for root (OpenSSH text). */
  readonly clientKey: string;
  /** `SHA256:...` of the current host key, as `ssh-keygen -lf` prints it. */
  hostKeyFingerprint(): string;
  target(user?: string): SshTarget;
  /** Kills sshd and every process it forked: open connections drop. */
  stop(): Promise<void>;
  /** stop() then start again on the same port with the same keys. */
  restart(): Promise<void>;
  /** A fresh host key, then restart: the machine now presents a key nobody pinned. */
  swapHostKey(): Promise<void>;
  /** Stops and removes the temp dir. */
  dispose(): Promise<void>;
  /** sshd's own log (stderr), for failure messages. */
  log(): string;
}

/** Rune's waitFor (core/controller/wait-for.ts) in the argument order these tests use. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  options: { timeoutMs: number; what: string; intervalMs?: number },
): Promise<void> {
  await coreWaitFor(options.what, predicate, {
    timeoutMs: options.timeoutMs,
    intervalMs: options.intervalMs ?? 20,
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function portAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A fresh ed25519 key pair in OpenSSH format. */
export function generateClientKey(): { privateKey: string; publicKey: string } {
  const pair = newEd25519KeyPair('rune-test');
  return { privateKey: pair.private, publicKey: pair.public };
}

export async function startSshd(): Promise<Sshd> {
  const host = '127.0.0.1';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rune-sshd-'));
  const hostKey = join(dir, 'host_ed25519');
  const config = join(dir, 'sshd_config');
  const client = generateClientKey();
  // sshd refuses to start without its privilege-separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const newHostKey = () => {
    rmSync(hostKey, { force: true });
    rmSync(`${hostKey}.pub`, { force: true });
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  };
  newHostKey();
  writeFileSync(join(dir, 'authorized_keys'), `${client.publicKey}\n`, { mode: 0o600 });
  writeFileSync(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${host}`,
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PidFile none',
      'StrictModes no',
      'UsePAM no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      // Benchmarks open many channels and several connections at once.
      'MaxSessions 64',
      'MaxStartups 64',
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  let log = '';
  const start = async () => {
    const proc = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    proc.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-20_000);
    });
    let exited = false;
    proc.once('exit', () => {
      exited = true;
    });
    await waitFor(async () => exited || (await portAccepts(host, port)), {
      timeoutMs: 10_000,
      what: `sshd to accept on ${host}:${port}`,
    });
    if (exited) throw new Error(`sshd exited at start:\n${log}`);
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    for (const pid of [proc.pid, ...descendants(proc.pid)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await exited;
  };
  await start();

  return {
    host,
    port,
    dir,
    clientKey: client.privateKey,
    hostKeyFingerprint: () =>
      execFileSync('ssh-keygen', ['-lf', `${hostKey}.pub`])
        .toString()
        .split(' ')[1] ?? '',
    target: (user = 'root') => ({ host, port, user, privateKey: client.privateKey }),
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    swapHostKey: async () => {
      await stop();
      newHostKey();
      await start();
    },
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => log,
  };
}

/** Every process below `root` in the parent tree, from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // The command name may hold spaces and parentheses: fields resume after the last `)`.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const pid of children.get(queue.shift() ?? -1) ?? []) {
      found.push(pid);
      queue.push(pid);
    }
  }
  return found;
}
