// A real etcd on loopback for the replicated store's tests: started, waited on until it answers
// its health endpoint, and stopped with its data.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../../../core/controller/wait-for.js';
import { freePort } from '../../integration/support/sshd.js';

export interface EtcdProcess {
  url: string;
  stop(): void;
}

async function healthy(url: string): Promise<boolean> {
  try {
    const answer = (await (await fetch(`${url}/health`)).json()) as { health?: string };
    return answer.health === 'true';
  } catch {
    return false;
  }
}

export async function startEtcd(): Promise<EtcdProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'rune-store-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const etcd = spawn(
    'etcd',
    [
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=default=http://127.0.0.1:${peer}`,
    ],
    { stdio: 'ignore' },
  );
  const stop = () => {
    etcd.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      `etcd to answer on ${url}`,
      async () => {
        if (etcd.exitCode !== null) throw new Error(`etcd exited with code ${etcd.exitCode}`);
        return healthy(url);
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  } catch (e) {
    stop();
    throw e;
  }
  return { url, stop };
}
