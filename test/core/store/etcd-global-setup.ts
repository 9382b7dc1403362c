// The store-on-etcd project's etcd (vitest.config.ts): one real etcd on loopback, started once for
// the run, that every contract test's replicated store logs into under a prefix of its own.
import type { TestProject } from 'vitest/node';
import { ensureHostPackages, which } from '../../../agents/providers/local/host-packages.js';
import { startEtcd } from './etcd-process.js';

export default async function setup(project: TestProject): Promise<() => void> {
  if ((await which('etcd')) === undefined) {
    if (process.getuid?.() !== 0)
      throw new Error('the store-on-etcd tests need etcd (etcd-server)');
    // Projects' setups run one after another (vitest's initializeGlobalSetup): no second apt-get
    // runs beside this one.
    await ensureHostPackages();
  }
  const etcd = await startEtcd();
  project.provide('storeEtcd', etcd.url);
  return () => etcd.stop();
}
