// Pre-made hosts for the etcd-vs-ansible bench: machines made with Rune's LocalProvider under a
// throwaway controller id, before any timer starts, reachable as root with the bench's own key.
// Both halves get the same kind: each machine's root is an overlay of this host's, so whatever
// is installed here (etcd-server, etcd-client, python3) is installed on every one of them.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalProvider } from '../../agents/providers/local/local-provider.js';
import { runCommand } from './common.js';

export interface Hosts {
  /** One address per host, in the order asked for. */
  addresses: string[];
  /** The private key (OpenSSH, 0600) root on every host accepts. */
  keyFile: string;
  /** A private dir of these hosts' own, for the caller's files; removed with the hosts. */
  dir: string;
  /** How long making them took (never part of a timed figure). */
  madeMs: number;
  /** Kills every process on the hosts and removes them and `dir`. */
  destroy(): Promise<void>;
}

export async function makeHosts(count: number, label: string): Promise<Hosts> {
  // The LocalProvider's state dir may hold no colons or spaces; mkdtemp under /tmp has none.
  const dir = mkdtempSync(join(tmpdir(), `rune-bench-${label}-`));
  const keyFile = join(dir, 'id_ed25519');
  let provider: LocalProvider | undefined;
  const destroy = async () => {
    await provider?.destroyAll().catch((e: unknown) => console.error('cleanup:', e));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    mkdirSync(join(dir, 'state'), { mode: 0o700 });
    const kg = await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    if (kg.code !== 0) throw new Error(`ssh-keygen failed: ${kg.stderr}`);
    provider = new LocalProvider({
      controllerId: randomBytes(3).toString('hex'),
      stateDir: join(dir, 'state'),
      authorizedKey: readFileSync(`${keyFile}.pub`, 'utf8'),
    });
    const t = performance.now();
    const addresses: string[] = [];
    for (let i = 0; i < count; i++) addresses.push((await provider.create(String(i))).address);
    return { addresses, keyFile, dir, madeMs: performance.now() - t, destroy };
  } catch (e) {
    await destroy();
    throw e;
  }
}
