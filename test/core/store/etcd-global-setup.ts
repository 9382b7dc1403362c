// The store-on-etcd project's etcd (vitest.config.ts): one real etcd on loopback, started once for
// the run, that every contract test's replicated store logs into under a prefix of its own.
import type { TestProject } from 'vitest/node';
import { ensureHostPackages, which } from '../../../agents/providers/local/host-packages.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { startEtcd } from './etcd-process.js';

export default async function setup(project: TestProject): Promise<() => void> {
  if ((await which('etcd')) === undefined) {
    if (process.getuid?.() !== 0)
      throw new Error('the store-on-etcd tests need etcd (etcd-server)');
    // The other project's setup installs the same packages at the same time on a clean machine:
    // apt's lock refuses one of the two, which tries again until etcd is there.
    await waitFor(
      'etcd-server to be installed',
      async () => {
        await ensureHostPackages().catch(() => undefined);
        return (await which('etcd')) !== undefined;
      },
      { timeoutMs: 900_000, intervalMs: 2_000 },
    );
  }
  const etcd = await startEtcd();
  project.provide('storeEtcd', etcd.url);
  return () => etcd.stop();
}
