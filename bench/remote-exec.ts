// DESIGN §5's claim measured: small commands through (a) Rune's persistent shell session, (b) one
// ssh2 exec channel per command, (c) OpenSSH with ControlMaster — side by side in one run. Goal
// (printed, not asserted): (a) <= 3 ms median and >= 20x faster than (b).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ssh2';
import { connectMachine } from '../agents/machine/remote-machine.js';
import type { SshTarget } from '../core/model/machine.js';
import { type Sshd, startSshd } from '../test/integration/support/sshd.js';

const run$ = promisify(execFile);
const TARGETS = Number(process.env.RUNE_BENCH_TARGETS ?? 10);
const COMMANDS = Number(process.env.RUNE_BENCH_COMMANDS ?? 200);
// (b) and (c) run the same count by default (~2 minutes on local machines); on a slow host
// RUNE_BENCH_SLOW_COMMANDS samples fewer, and the table says how many ran.
const SLOW_COMMANDS = Number(process.env.RUNE_BENCH_SLOW_COMMANDS ?? COMMANDS);
const COMMAND = 'echo x';

/** Where the machines come from: local-provider machines, or sshds on loopback. */
export interface TargetSource {
  targets: SshTarget[];
  dispose(): Promise<void>;
}

export async function localSshdTargets(count: number): Promise<TargetSource> {
  const sshds: Sshd[] = [];
  try {
    for (let i = 0; i < count; i++) sshds.push(await startSshd());
  } catch (err) {
    await Promise.all(sshds.map((s) => s.dispose()));
    throw err;
  }
  return {
    targets: sshds.map((s) => s.target()),
    dispose: async () => {
      await Promise.all(sshds.map((s) => s.dispose()));
    },
  };
}

type PerCommand = (target: SshTarget) => Promise<{ once(): Promise<void>; close(): Promise<void> }>;

const session: PerCommand = async (target) => {
  const machine = await connectMachine(target, {});
  return {
    once: async () => {
      const r = await machine.run(COMMAND);
      if (r.code !== 0) throw new Error(`session: ${COMMAND} exited ${r.code}`);
    },
    close: () => machine.close(),
  };
};

const execChannel: PerCommand = async (target) => {
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client.once('ready', resolve).once('error', reject);
    client.connect({
      host: target.host,
      port: target.port,
      username: target.user,
      privateKey: target.privateKey,
    });
  });
  return {
    once: () =>
      new Promise<void>((resolve, reject) => {
        client.exec(COMMAND, (err, channel) => {
          if (err) return reject(err);
          channel.resume();
          channel.on('close', () => resolve());
        });
      }),
    close: async () => {
      client.end();
      await Promise.resolve();
    },
  };
};

function controlMaster(dir: string): PerCommand {
  return (target) => {
    const key = join(dir, `key-${target.port}`);
    writeFileSync(key, target.privateKey, { mode: 0o600 });
    const args = [
      '-i',
      key,
      '-p',
      String(target.port),
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'ControlMaster=auto',
      '-o',
      `ControlPath=${dir}/cm-%p`,
      '-o',
      'ControlPersist=60',
      `${target.user}@${target.host}`,
    ];
    return Promise.resolve({
      once: async () => {
        await run$('ssh', [...args, COMMAND]);
      },
      close: async () => {
        await run$('ssh', [...args.slice(0, -1), '-O', 'exit', args.at(-1) ?? '']).catch(
          () => undefined,
        );
      },
    });
  };
}

interface Figures {
  median: number;
  p95: number;
  totalMs: number;
  commands: number;
}

/**
 * Targets one after another, each running its commands one after another: concurrent targets on
 * a 2-core host would measure CPU contention, not the cost of a command.
 */
async function measure(targets: SshTarget[], open: PerCommand, commands: number): Promise<Figures> {
  const samples: number[] = [];
  let totalMs = 0;
  for (const target of targets) {
    const end = await open(target);
    // Warm-up: the connection, ControlMaster socket or shell session exists before timing.
    await end.once();
    const start = performance.now();
    for (let i = 0; i < commands; i++) {
      const t = performance.now();
      await end.once();
      samples.push(performance.now() - t);
    }
    totalMs += performance.now() - start;
    await end.close();
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) =>
    samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? NaN;
  return { median: at(0.5), p95: at(0.95), totalMs, commands: samples.length };
}

/** Local-provider machines as the issue asks, when root can make them; else sshds on loopback. */
async function defaultTargets(): Promise<TargetSource> {
  if (process.getuid?.() !== 0) {
    console.log(`not root: ${TARGETS} sshd processes on 127.0.0.1 stand in for local machines`);
    return localSshdTargets(TARGETS);
  }
  const { localMachineTargets } = await import('./local-machines.js');
  return localMachineTargets(TARGETS);
}

export async function run(source: () => Promise<TargetSource> = defaultTargets): Promise<void> {
  const machines = await source();
  const { targets } = machines;
  const dir = mkdtempSync(join(tmpdir(), 'rune-bench-ssh-'));
  try {
    const a = await measure(targets, session, COMMANDS);
    const b = await measure(targets, execChannel, SLOW_COMMANDS);
    const c = await measure(targets, controlMaster(dir), SLOW_COMMANDS);
    const row = (name: string, f: Figures) =>
      `  ${name.padEnd(34)} ${f.median.toFixed(2).padStart(8)} ${f.p95.toFixed(2).padStart(8)} ${(f.totalMs / 1000).toFixed(2).padStart(8)} s ${String(f.commands).padStart(8)}   ${(f.median / a.median).toFixed(1).padStart(6)}x`;
    console.log(`${targets.length} targets one after another, \`${COMMAND}\` (ms per command):`);
    console.log(
      `  ${'path'.padEnd(34)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'total'.padStart(10)} ${'commands'.padStart(8)}   vs (a)`,
    );
    console.log(row('(a) Rune persistent session', a));
    console.log(row('(b) ssh2 exec channel per command', b));
    console.log(row('(c) OpenSSH ssh + ControlMaster', c));
    const ratio = b.median / a.median;
    const met = a.median <= 3 && ratio >= 20;
    console.log(
      `  goal (a) <= 3 ms median and >= 20x faster than (b): ${a.median.toFixed(2)} ms, ${ratio.toFixed(1)}x — ${met ? 'met' : 'MISSED'}`,
    );
    console.log('  (figures from one machine; sshds and controller share its 2 cores)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await machines.dispose();
  }
}
