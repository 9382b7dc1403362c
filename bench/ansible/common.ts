// What both halves of the etcd-vs-ansible benchmark share: running a command with its output
// captured, and the one health check both clusters must pass.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface Ran {
  code: number;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

/** Runs a command to its exit, never throwing on a non-zero code: the caller decides. */
export function runCommand(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 600_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: performance.now() - started,
      }),
    );
  });
}

/** The last `n` non-empty lines of some output, for failure reasons that fit on screen. */
export function tail(text: string, n: number): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .join('\n');
}

/**
 * `etcdctl endpoint health` from the host over every member with the client certificate found
 * in `certsDir` (ca.crt, client.crt, client.key): the same check for Rune's cluster and
 * Ansible's. Returns its output; throws with it when any member is unhealthy.
 */
export async function etcdHealth(addresses: string[], certsDir: string): Promise<string> {
  const r = await runCommand(
    'etcdctl',
    [
      `--endpoints=${addresses.map((a) => `https://${a}:2379`).join(',')}`,
      `--cacert=${join(certsDir, 'ca.crt')}`,
      `--cert=${join(certsDir, 'client.crt')}`,
      `--key=${join(certsDir, 'client.key')}`,
      'endpoint',
      'health',
    ],
    { env: { ...process.env, ETCDCTL_API: '3' }, timeoutMs: 30_000 },
  );
  // etcdctl 3.4 prints healthy endpoints on stdout and unhealthy ones on stderr.
  const text = `${r.stdout.toString('utf8')}${r.stderr}`.trim();
  if (r.code !== 0) throw new Error(`etcdctl endpoint health failed:\n${text}`);
  return text;
}

export type Half<T> = { ok: true; value: T } | { ok: false; reason: string };

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
