// Local-provider machines as benchmark targets (issue 3: "10 local machines"), made with a
// throwaway controller id and destroyed afterwards; prints how long each create and destroy took.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEd25519KeyPair } from '../agents/machine/ed25519-keys.js';
import { LocalProvider } from '../agents/providers/local/local-provider.js';
import type { TargetSource } from './remote-exec.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function localMachineTargets(count: number): Promise<TargetSource> {
  const stateDir = mkdtempSync(join(tmpdir(), 'rune-bench-local-'));
  const keys = newEd25519KeyPair('rune-bench');
  const provider = new LocalProvider({
    controllerId: randomBytes(3).toString('hex'),
    stateDir,
    authorizedKey: keys.public,
  });
  const made: { instanceId: string; address: string }[] = [];
  const createMs: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const t = performance.now();
      made.push(await provider.create(String(i)));
      createMs.push(performance.now() - t);
    }
  } catch (e) {
    await provider.destroyAll();
    rmSync(stateDir, { recursive: true, force: true });
    throw e;
  }
  // The first create also makes the bridge: report it apart from the steady state.
  console.log(
    `local machines: ${count} created, first ${createMs[0]?.toFixed(0)} ms, then median ${median(createMs.slice(1)).toFixed(0)} ms, max ${Math.max(...createMs).toFixed(0)} ms (goal < 1000 ms each)`,
  );
  return {
    targets: made.map((m) => ({
      host: m.address,
      port: 22,
      user: 'root',
      privateKey: keys.private,
    })),
    dispose: async () => {
      const destroyMs: number[] = [];
      for (const m of made) {
        const t = performance.now();
        await provider.destroy(m.instanceId);
        destroyMs.push(performance.now() - t);
      }
      await provider.destroyAll();
      rmSync(stateDir, { recursive: true, force: true });
      console.log(`local machines: ${count} destroyed, median ${median(destroyMs).toFixed(0)} ms`);
    },
  };
}
