// Commands on the persistent shell session against a real sshd: exit codes, stdout and stderr
// kept apart, byte-exact output and stdin, timeouts that kill and leave the session usable.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CommandTimeoutError, SessionLostError } from '../../../../agents/machine/errors.js';
import {
  type ConnectedMachine,
  connectMachine,
} from '../../../../agents/machine/remote-machine.js';
import { type Sshd, startSshd } from '../../support/sshd.js';

let sshd: Sshd;
let machine: ConnectedMachine;

beforeAll(async () => {
  sshd = await startSshd();
  machine = await connectMachine(sshd.target(), {});
});

afterAll(async () => {
  await machine?.close();
  await sshd?.dispose();
});

/** Gone or a zombie: killed processes linger as zombies until an init reaps them. */
async function running(pid: string): Promise<boolean> {
  const r = await machine.run(`cut -d' ' -f3 /proc/${pid}/stat 2>/dev/null`);
  const state = r.stdout.toString().trim();
  return state !== '' && state !== 'Z';
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('run', () => {
  test('returns the exit code with stdout and stderr apart', async () => {
    const r = await machine.run('echo out; echo err >&2; printf more; exit 3');
    expect(r.code).toBe(3);
    expect(r.stdout.toString()).toBe('out\nmore');
    expect(r.stderr.toString()).toBe('err\n');
  });

  test('reports 128+N for a command killed by signal N', async () => {
    const r = await machine.run('kill -TERM $$');
    expect(r.code).toBe(143);
  });

  test('each command starts fresh: no cd or variable leaks into the next', async () => {
    await machine.run('cd /tmp; X=leaked; export Y=leaked');
    const r = await machine.run('pwd; echo "[$X][$Y]"');
    expect(r.stdout.toString()).not.toContain('/tmp\n');
    expect(r.stdout.toString()).toContain('[][]');
  });

  test('output that looks like the framing comes back untouched', async () => {
    const fake = 'R_0123456789abcdef01234567<body R_0123456789abcdef01234567>0\n==\n';
    const r = await machine.run(`printf '%s' '${fake}'; printf '%s' '${fake}' >&2`);
    expect(r.stdout.toString()).toBe(fake);
    expect(r.stderr.toString()).toBe(fake);
  });

  test('all 256 byte values without a trailing newline come back byte-exact', async () => {
    const format = [...ALL_BYTES].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
    const r = await machine.run(`printf '${format}'; printf '${format}' >&2`);
    expect(r.stdout.equals(ALL_BYTES)).toBe(true);
    expect(r.stderr.equals(ALL_BYTES)).toBe(true);
  });

  test('8 MB of output comes back byte-exact', async () => {
    const size = 8 * 1024 * 1024;
    const r = await machine.run(`yes 0123456789abcdef | head -c ${size}`);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(size);
    expect(
      r.stdout.equals(Buffer.from('0123456789abcdef\n'.repeat(size / 17 + 1)).subarray(0, size)),
    ).toBe(true);
  });

  test('stdin bytes reach the command binary-safe, then end', async () => {
    const r = await machine.run('cat; echo end', { stdin: ALL_BYTES });
    expect(r.stdout.equals(Buffer.concat([ALL_BYTES, Buffer.from('end\n')]))).toBe(true);
  });

  test('8 MB of stdin arrives intact', async () => {
    const data = Buffer.alloc(8 * 1024 * 1024, 'abcdefgh');
    const r = await machine.run('sha256sum | cut -d" " -f1', { stdin: data });
    expect(r.stdout.toString().trim()).toBe(createHash('sha256').update(data).digest('hex'));
  });

  test('without stdin a command reads nothing, not the session input', async () => {
    const r = await machine.run('cat; echo done');
    expect(r.stdout.toString()).toBe('done\n');
  });

  test('commands issued together run one at a time, in order', async () => {
    const log = join(sshd.dir, 'order.log');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        machine.run(`echo start ${i} >>${log}; sleep 0.01; echo end ${i} >>${log}`),
      ),
    );
    const lines = (await machine.run(`cat ${log}`)).stdout.toString().trim().split('\n');
    expect(lines).toEqual(Array.from({ length: 10 }, (_, i) => [`start ${i}`, `end ${i}`]).flat());
  });

  test('a timeout kills the command and its children; the next command works', async () => {
    const pidFile = join(sshd.dir, 'child.pid');
    const run = machine.run(`sleep 300 & echo $! >${pidFile}; sleep 300`, { timeoutMs: 500 });
    await expect(run).rejects.toBeInstanceOf(CommandTimeoutError);
    await expect(run).rejects.toThrow(/timed out after 500 ms and was killed/);
    const child = (await machine.run(`cat ${pidFile}`)).stdout.toString().trim();
    expect(child).toMatch(/^\d+$/);
    expect(await running(child)).toBe(false);
    expect((await machine.run('echo alive')).stdout.toString()).toBe('alive\n');
  });

  test('an aborted command is killed and rejects with the signal reason', async () => {
    const controller = new AbortController();
    const run = machine.run('sleep 300', { signal: controller.signal });
    controller.abort(new Error('user pressed ^C'));
    await expect(run).rejects.toThrow('user pressed ^C');
    expect((await machine.run('echo alive')).code).toBe(0);
  });

  test('a session whose shell dies fails its command clearly; the next one gets a new shell', async () => {
    // The command's parent is the session shell itself.
    const run = machine.run('kill -KILL $PPID; sleep 5');
    await expect(run).rejects.toBeInstanceOf(SessionLostError);
    await expect(run).rejects.toThrow(/lost while running `kill -KILL \$PPID; sleep 5`/);
    expect((await machine.run('echo again')).stdout.toString()).toBe('again\n');
  });
});

describe('stream', () => {
  test('delivers output as it comes and resolves to the exit code', async () => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const code = await machine.stream(
      'echo one; echo two >&2; cat; exit 4',
      {
        stdout: (c) => out.push(c),
        stderr: (c) => err.push(c),
      },
      { stdin: 'three\n' },
    );
    expect(code).toBe(4);
    expect(Buffer.concat(out).toString()).toBe('one\nthree\n');
    expect(Buffer.concat(err).toString()).toBe('two\n');
  });

  test('a timeout kills a streaming command', async () => {
    const pidFile = join(sshd.dir, 'stream.pid');
    const sink = { stdout: () => undefined, stderr: () => undefined };
    await expect(
      machine.stream(`sleep 300 & echo $! >${pidFile}; sleep 300`, sink, { timeoutMs: 300 }),
    ).rejects.toBeInstanceOf(CommandTimeoutError);
    const child = (await machine.run(`cat ${pidFile}`)).stdout.toString().trim();
    expect(child).toMatch(/^\d+$/);
    expect(await running(child)).toBe(false);
  });
});
