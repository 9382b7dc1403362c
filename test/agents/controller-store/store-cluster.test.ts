// The controller's store cluster on real etcd processes on loopback (needs the etcd binary, not
// root): made with its own CA, refusing clients without its certificate, writing on through the
// loss of its leader, bringing that member back, and leaving no process behind when stopped.
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  StoreClusterExistsError,
  StoreClusterSizeError,
  StoreEtcdMissingError,
  StoreMemberStartError,
} from '../../../agents/controller-store/errors.js';
import { memberHasProcess, runningPid } from '../../../agents/controller-store/member-process.js';
import { issueCertificate, newCertificateAuthority } from '../../../agents/controller-store/pki.js';
import {
  createStoreCluster,
  ensureStoreMember,
  stopStoreCluster,
  storeClientTls,
  type StoreClusterInfo,
} from '../../../agents/controller-store/store-cluster.js';
import { waitFor } from '../../../core/controller/wait-for.js';
import { connect } from '../../../core/store/etcd-log.js';
import { etcdClient } from './etcd-client.js';

const root = mkdtempSync(join(tmpdir(), 'rune-store-cluster-'));
let info: StoreClusterInfo;
let client: Etcd3;
const clients: Etcd3[] = [];

function track(c: Etcd3): Etcd3 {
  clients.push(c);
  return c;
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

const mode = (file: string) => statSync(file).mode & 0o777;

/** The session a process belongs to (field 6 of /proc/PID/stat). */
function sessionOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
}

/** A server that holds `port` and hangs up on whoever connects (the test's clients retry). */
function listenOn(port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('the controller store cluster', () => {
  beforeAll(async () => {
    const started = performance.now();
    info = await createStoreCluster(join(root, 'store'), 3);
    console.info(`store cluster of 3 created in ${Math.round(performance.now() - started)} ms`);
    client = track(etcdClient(info.endpoints, storeClientTls(info), { failover: true }));
  }, 60_000);

  afterAll(async () => {
    clients.forEach((c) => c.close());
    if (info) await stopStoreCluster(info, { remove: true });
  });

  it('serves a client with the controller certificate on every member; keys are 0600', async () => {
    await client.put('rune/probe').value('hello');
    expect(await client.get('rune/probe').string()).toBe('hello');
    for (const endpoint of info.endpoints) {
      const one = track(etcdClient([endpoint], storeClientTls(info)));
      expect(await one.get('rune/probe').string()).toBe('hello');
    }
    // The replicated store connects with exactly what storeClientTls hands it.
    const store = track(connect({ endpoints: info.endpoints, tls: storeClientTls(info) }));
    expect(await store.get('rune/probe').string()).toBe('hello');
    expect(mode(info.dir)).toBe(0o700);
    for (const file of [info.tls.keyFile, ...info.members.map((m) => m.keyFile)])
      expect(mode(file)).toBe(0o600);
  });

  it('refuses a client without a certificate, and one whose certificate is from another CA', async () => {
    const { ca } = storeClientTls(info);
    const bare = track(etcdClient(info.endpoints, { ca }));
    await expect(bare.put('rune/intruder').value('x')).rejects.toThrow();
    const otherCa = await newCertificateAuthority('another CA');
    const other = await issueCertificate(otherCa, {
      commonName: 'intruder',
      ips: [],
      role: 'client',
    });
    const stranger = track(etcdClient(info.endpoints, { ca, ...other }));
    await expect(stranger.put('rune/intruder').value('x')).rejects.toThrow();
    expect(await client.get('rune/intruder').string()).toBeNull();
  });

  it('each member leads a session of its own, so a dying controller member takes none along', () => {
    for (const member of info.members) {
      const pid = runningPid(member)!;
      expect(sessionOf(pid)).toBe(pid);
      expect(sessionOf(pid)).not.toBe(sessionOf(process.pid));
    }
  });

  it('ensureStoreMember on a running member starts nothing new', async () => {
    const before = info.members.map(runningPid);
    expect(before.every((pid) => pid !== undefined)).toBe(true);
    expect(await ensureStoreMember(info, 1)).toBe('running');
    expect(info.members.map(runningPid)).toEqual(before);
  });

  it('writes go on when the leader is killed, and ensureStoreMember brings it back to rejoin', async () => {
    const { leader } = await client.maintenance.status();
    const { members } = await client.cluster.memberList({});
    const leaderName = members.find((m) => m.ID === leader)?.name;
    const index = info.members.findIndex((m) => m.name === leaderName);
    const pid = runningPid(info.members[index]!);
    expect(pid).toBeDefined();

    const killed = performance.now();
    process.kill(pid!, 'SIGKILL');
    await waitFor(
      'a write after the leader died',
      () =>
        client
          .put('rune/after')
          .value('1')
          .then(() => true),
      {
        timeoutMs: 15_000,
        intervalMs: 50,
      },
    );
    console.info(
      `write succeeded ${Math.round(performance.now() - killed)} ms after SIGKILL of the leader`,
    );
    await client.put('rune/while-down').value('written');

    const restarted = performance.now();
    expect(await ensureStoreMember(info, index)).toBe('started');
    console.info(
      `killed member answered ${Math.round(performance.now() - restarted)} ms after ensureStoreMember`,
    );
    const listed = (await client.cluster.memberList({})).members;
    expect(listed.map((m) => m.name).sort()).toEqual(['store-0', 'store-1', 'store-2']);
    // It caught up: a read served by it alone sees what was written while it was down.
    const alone = track(etcdClient([info.members[index]!.clientUrl], storeClientTls(info)));
    expect(await alone.get('rune/while-down').serializable(true).string()).toBe('written');
  });

  it('a member that cannot start says why, quoting its log', async () => {
    const member = info.members[0]!;
    process.kill(runningPid(member)!, 'SIGKILL');
    // Its port frees only once the kernel has torn the process down, a moment after the kill.
    const port = Number(new URL(member.clientUrl).port);
    const squatter = await waitFor(`port ${port} to be free`, () => listenOn(port), {
      timeoutMs: 5_000,
    });
    try {
      const failure = await ensureStoreMember(info, 0, { timeoutMs: 20_000 }).catch(
        (e: unknown) => e,
      );
      expect(failure).toBeInstanceOf(StoreMemberStartError);
      expect((failure as Error).message).toMatch(/store member store-0 did not start: etcd exited/);
      expect((failure as Error).message).toMatch(/address already in use/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
    expect(await ensureStoreMember(info, 0)).toBe('started');
  });

  it('stopStoreCluster stops every member; with remove it deletes the directory', async () => {
    await stopStoreCluster(info);
    for (const member of info.members) expect(await memberHasProcess(member)).toBe(false);
    expect(existsSync(info.dir)).toBe(true);
    await stopStoreCluster(info, { remove: true });
    expect(existsSync(info.dir)).toBe(false);
  });
});

describe('createStoreCluster refuses before it starts anything', () => {
  it.each([2, 4, 1, 0, 3.5])('%s members: an odd number, 3 or more', async (n) => {
    const dir = join(root, `size-${n}`);
    await expect(createStoreCluster(dir, n)).rejects.toThrow(StoreClusterSizeError);
    expect(existsSync(dir)).toBe(false);
  });

  it('an etcd binary that is not there', async () => {
    const dir = join(root, 'no-etcd');
    const failure = createStoreCluster(dir, 3, { etcd: join(root, 'nowhere/etcd') });
    await expect(failure).rejects.toThrow(StoreEtcdMissingError);
    await expect(failure).rejects.toThrow(/apt-get install etcd-server/);
    expect(existsSync(dir)).toBe(false);
  });

  it('a directory that already holds something', async () => {
    const dir = mkdtempSync(join(root, 'taken-'));
    writeFileSync(join(dir, 'ca.pem'), "a running cluster's CA");
    await expect(createStoreCluster(dir, 3)).rejects.toThrow(StoreClusterExistsError);
    expect(readdirSync(dir)).toEqual(['ca.pem']);
  });
});
