// The fake Kubernetes binaries and flanneld, run by sh: they record argv, stay running until
// SIGTERM, and the fake flanneld writes subnet.env.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rune-fake-'));
  const env = {
    ...process.env,
    RUNE_FAKE_LOG_DIR: join(dir, 'log'),
    RUNE_FAKE_RUN_DIR: join(dir, 'run'),
  };
  return { dir, env };
}

const read = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

describe('kube-fake.sh', () => {
  it('records argv under the name it was called by and runs until SIGTERM', async () => {
    const { dir, env } = setup();
    const bin = join(dir, 'kube-apiserver');
    symlinkSync(join(here, 'kube-fake.sh'), bin);
    const child = spawn(bin, ['--etcd-servers=https://a:2379', '--v=2'], { env });
    const args = join(dir, 'log', 'kube-apiserver.args');
    await until(() => read(args).includes('--v=2'));
    expect(read(args)).toBe('--etcd-servers=https://a:2379\n--v=2\n');
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('as kubectl, answers and exits', async () => {
    const { dir, env } = setup();
    const bin = join(dir, 'kubectl');
    symlinkSync(join(here, 'kube-fake.sh'), bin);
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(bin, ['drain', 'n1'], { env }, (e, out) =>
        e ? reject(new Error(e.message)) : resolve(out),
      ),
    );
    expect(stdout).toBe('rune-fake kubectl: drain n1\n');
  });
});

describe('flanneld-fake.sh', () => {
  it('writes subnet.env and stays running', async () => {
    const { dir, env } = setup();
    const child = spawn('sh', [join(here, 'flanneld-fake.sh'), '-iface=10.0.0.7', '-ip-masq'], {
      env: { ...env, FAKE_FLANNEL_N: '42' },
    });
    const subnet = join(dir, 'run', 'subnet.env');
    await until(() => read(subnet) !== '');
    expect(read(subnet)).toBe(
      'FLANNEL_NETWORK=10.1.0.0/16\nFLANNEL_SUBNET=10.1.42.1/24\nFLANNEL_MTU=1450\nFLANNEL_IPMASQ=true\n',
    );
    expect(read(join(dir, 'log', 'flanneld.args'))).toBe('-iface=10.0.0.7\n-ip-masq\n');
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });
});
