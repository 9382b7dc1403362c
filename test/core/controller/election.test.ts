// The controller members' election on a real etcd (store-on-etcd project): one holder at a time;
// another takes over when the holder resigns or its process is killed (its lease lapses); the new
// holder's fence differs, so the old one's appends to the store's log are refused.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { packageRoot } from '../../../core/charm/package-root.js';
import { activeMember, campaign } from '../../../core/controller/election.js';
import { EtcdLog } from '../../../core/store/etcd-log.js';

const endpoint = inject('storeEtcd') ?? '';
const clients: Etcd3[] = [];
const client = () => {
  const c = new Etcd3({ hosts: endpoint });
  clients.push(c);
  return c;
};
afterAll(() => clients.forEach((c) => c.close()));

describe('controller member election', () => {
  it('one holder; the next takes over when it resigns, under a new fence', async () => {
    const key = `/rune-test/${randomUUID()}/active`;
    const first = await campaign(client(), key, 'member-0');
    expect(await activeMember(client(), key)).toBe('member-0');
    let secondWon = false;
    const second = campaign(client(), key, 'member-1').then((l) => {
      secondWon = true;
      return l;
    });
    // It waits while the key is held: the first holder is still alone after a few rounds.
    const log = new EtcdLog(client(), `${key}-store/`);
    expect((await log.append(0, 'by member-0', first.fence)).ok).toBe(true);
    expect(secondWon).toBe(false);
    await first.resign();
    expect(await first.lost).toBe('it resigned');
    const taken = await second;
    expect(await activeMember(client(), key)).toBe('member-1');
    expect(taken.fence.createRevision).not.toBe(first.fence.createRevision);
    expect(await log.append(1, 'late, by member-0', first.fence)).toMatchObject({
      ok: false,
      fenced: true,
    });
    expect((await log.append(1, 'by member-1', taken.fence)).ok).toBe(true);
    await taken.resign();
  });

  it('a holder whose process is killed is replaced after its lease lapses', async () => {
    const key = `/rune-test/${randomUUID()}/active`;
    // A real process holds the key (the build's election module), then dies of SIGKILL.
    const election = join(packageRoot(), 'dist', 'core', 'controller', 'election.js');
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { Etcd3 } from 'etcd3';
         import { campaign } from ${JSON.stringify(election)};
         await campaign(new Etcd3({ hosts: ${JSON.stringify(endpoint)} }), ${JSON.stringify(key)}, 'member-0', { ttlSeconds: 2 });
         console.log('elected');
         setInterval(() => undefined, 1000);`,
      ],
      { cwd: packageRoot(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.on('data', () => resolve()));
    expect(await activeMember(client(), key)).toBe('member-0');
    holder.kill('SIGKILL');
    const started = Date.now();
    const next = await campaign(client(), key, 'member-1', { ttlSeconds: 2 });
    const tookMs = Date.now() - started;
    expect(await activeMember(client(), key)).toBe('member-1');
    // Not before the lease could lapse, and well within the 15 s.
    expect(tookMs).toBeGreaterThanOrEqual(1_000);
    expect(tookMs).toBeLessThan(15_000);
    await next.resign();
  }, 30_000);
});
