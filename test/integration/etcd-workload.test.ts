// The etcd charm's workload layer against real etcd 3.4 (Debian's etcd-server/etcd-client): TLS
// members started with argv from etcdArgs, driven only through command strings from etcdctl.ts
// run by /bin/sh, as ctx.machine.run would. A three-member cluster (put/get, compact, defrag,
// snapshot, removing a stale member), then the join path (member add, start as `existing`).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PeerSpec,
  connectionString,
  httpsUrl,
  initialCluster,
  initialClusterAfterAdd,
  isStarted,
  staleMembers,
} from '../../charms/etcd/workload/cluster.js';
import {
  type EtcdctlOp,
  type EtcdctlTarget,
  etcdctlCommand,
  expectSuccess,
  readEndpointHealth,
  readEndpointStatus,
  readGet,
  readMemberAdd,
  readMemberList,
} from '../../charms/etcd/workload/etcdctl.js';
import { type EtcdFlagsInput, etcdCommand } from '../../charms/etcd/workload/flags.js';
import { ETCD_BIN, ETCDCTL_BIN, memberName } from '../../charms/etcd/workload/paths.js';
import type { CommandResult } from '../../core/charm/index.js';
import { waitFor } from '../../core/controller/wait-for.js';
import { freePort } from './support/sshd.js';

for (const bin of [ETCD_BIN, ETCDCTL_BIN]) {
  if (!existsSync(bin)) {
    throw new Error(
      `test/integration/etcd-workload.test.ts needs ${bin}: run \`apt-get install -y etcd-server etcd-client\` as root`,
    );
  }
}

const HOST = '127.0.0.1';
let dir: string;
let tls: { ca: string; cert: string; key: string; clientCert: string; clientKey: string };
const started: Array<{ name: string; child: ChildProcess; log: string }> = [];

/** A throwaway CA and leaf certificates, made with the openssl CLI as an operator would. */
function makeCerts(): typeof tls {
  // Every argument is free of spaces, so each command is written as one line.
  const ssl = (line: string) =>
    execFileSync('openssl', line.split(' '), { cwd: dir, stdio: 'pipe' });
  const ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1';
  ssl(`req -x509 ${ec} -keyout ca.key -out ca.crt -subj /CN=rune-test-ca`);
  const leaf = (name: string, ext: string) => {
    writeFileSync(join(dir, `${name}.ext`), ext);
    ssl(`req ${ec} -keyout ${name}.key -out ${name}.csr -subj /CN=${name}`);
    ssl(
      `x509 -req -in ${name}.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 ` +
        `-out ${name}.crt -extfile ${name}.ext`,
    );
  };
  // One server certificate for clients and peers: peers present it as a client certificate too.
  leaf(
    'server',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  leaf('client', 'extendedKeyUsage=clientAuth\n');
  const at = (file: string) => join(dir, file);
  return {
    ca: at('ca.crt'),
    cert: at('server.crt'),
    key: at('server.key'),
    clientCert: at('client.crt'),
    clientKey: at('client.key'),
  };
}

/** `ctx.machine.run` for this host: /bin/sh -c, exit code and both streams as bytes. */
function run(command: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code, signal) =>
      resolve({
        code: code ?? 128 + (signal === null ? 0 : 15),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
      }),
    );
  });
}

async function etcdctl(endpoints: readonly string[], op: EtcdctlOp): Promise<CommandResult> {
  const target: EtcdctlTarget = {
    endpoints,
    cacert: tls.ca,
    cert: tls.clientCert,
    key: tls.clientKey,
    commandTimeoutMs: 2000,
  };
  return run(etcdctlCommand(target, op));
}

interface Node {
  name: string;
  clientPort: number;
  peerPort: number;
  clientUrl: string;
  peer: PeerSpec;
}

const usedPorts = new Set<number>();
async function port(): Promise<number> {
  for (;;) {
    const p = await freePort();
    if (!usedPorts.has(p)) {
      usedPorts.add(p);
      return p;
    }
  }
}

async function node(unit: string): Promise<Node> {
  const name = memberName(unit);
  const clientPort = await port();
  const peerPort = await port();
  const peerUrl = httpsUrl(HOST, peerPort);
  return {
    name,
    clientPort,
    peerPort,
    clientUrl: httpsUrl(HOST, clientPort),
    peer: { name, peerUrl },
  };
}

function startEtcd(n: Node, cluster: string, state: 'new' | 'existing', token: string): void {
  const input: EtcdFlagsInput = {
    name: n.name,
    dataDir: join(dir, token, n.name),
    address: HOST,
    clientPort: n.clientPort,
    peerPort: n.peerPort,
    bindToAll: false,
    insecureHttp: false,
    clusterToken: token,
    initialCluster: cluster,
    initialState: state,
    tls: { ca: tls.ca, cert: tls.cert, key: tls.key },
    heartbeatIntervalMs: 100,
    electionTimeoutMs: 1000,
    snapshotCount: 10000,
    cipherSuites: '',
  };
  const [bin, ...args] = etcdCommand(input);
  const log = join(dir, `${token}-${n.name}.log`);
  const child = spawn(bin ?? ETCD_BIN, args, { stdio: ['ignore', 'ignore', openSync(log, 'a')] });
  started.push({ name: n.name, child, log });
}

/**
 * SIGKILL, not SIGTERM: on SIGTERM a 3.4 leader first tries to hand leadership to a follower and,
 * with the followers already gone, waits about 5 s for nobody. The data dirs are throwaway.
 */
async function stopEtcd(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/** Waits until every endpoint answers healthy; a timeout quotes the members' logs. */
async function waitHealthy(endpoints: readonly string[]): Promise<void> {
  const healthy = async () => {
    const health = readEndpointHealth(await etcdctl(endpoints, { op: 'endpoint health' }));
    const bad = health.filter((h) => !h.healthy);
    if (health.length !== endpoints.length || bad.length > 0) {
      throw new Error(bad.map((h) => `${h.endpoint}: ${h.error ?? 'unhealthy'}`).join('; '));
    }
    return true;
  };
  await waitFor(`etcd healthy at ${endpoints.join(', ')}`, healthy, {
    timeoutMs: 30_000,
    intervalMs: 100,
  }).catch((e: unknown) => {
    const logs = started.map((s) => `--- ${s.log}\n${readFileSync(s.log, 'utf8').slice(-2000)}`);
    throw new Error(`${String(e)}\n${logs.join('\n')}`);
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rune-etcd-'));
  tls = makeCerts();
});

afterAll(async () => {
  await Promise.all(started.map((s) => stopEtcd(s.child)));
  rmSync(dir, { recursive: true, force: true });
});

describe('a three-member TLS cluster from etcdArgs', () => {
  it('forms, stores, maintains, and drops a stale member', { timeout: 120_000 }, async () => {
    const nodes = await Promise.all(['etcd/0', 'etcd/1', 'etcd/2'].map(node));
    const cluster = initialCluster(nodes.map((n) => n.peer));
    for (const n of nodes) startEtcd(n, cluster, 'new', 'three');
    const endpoints = nodes.map((n) => n.clientUrl);
    await waitHealthy(endpoints);

    const members = readMemberList(await etcdctl(endpoints, { op: 'member list' }));
    expect(members.map((m) => m.name).sort()).toEqual(['etcd-0', 'etcd-1', 'etcd-2']);
    expect(members.every(isStarted)).toBe(true);
    expect(connectionString(members.flatMap((m) => m.clientUrls))).toBe(
      [...endpoints].sort().join(','),
    );

    const key = '/coreos.com/network/config';
    const value = `-{"Network": "10.1.0.0/16", "quote": "it's"}`;
    expectSuccess('put', await etcdctl(endpoints, { op: 'put', key, value }));
    expect(readGet(await etcdctl(endpoints, { op: 'get', key }))).toBe(value);
    expect(readGet(await etcdctl(endpoints, { op: 'get', key: '/absent' }))).toBeUndefined();

    const [first] = endpoints;
    if (first === undefined) throw new Error('no endpoint');
    const [status] = readEndpointStatus(await etcdctl([first], { op: 'endpoint status' }));
    expect(status?.revision).toBeGreaterThanOrEqual(2n);
    const revision = status?.revision ?? 1n;
    expectSuccess('compact', await etcdctl(endpoints, { op: 'compact', revision, physical: true }));
    expectSuccess('defrag', await etcdctl([first], { op: 'defrag' }));
    const snapshot = join(dir, 'snapshot.db');
    expectSuccess('snapshot save', await etcdctl([first], { op: 'snapshot save', path: snapshot }));
    expect(existsSync(snapshot)).toBe(true);

    // etcd/2's unit is gone: its member is the stale one, removed through another member.
    const expected = nodes.slice(0, 2).map((n) => n.peer);
    const stale = staleMembers(members, expected);
    expect(stale.map((m) => m.name)).toEqual(['etcd-2']);
    const survivors = endpoints.slice(0, 2);
    // etcd 3.4 refuses to remove a voting member ("etcdserver: unhealthy cluster") until the
    // rest have been connected for its 5 s health interval, so a fresh cluster needs retries.
    for (const m of stale) {
      await waitFor(
        `member remove ${m.idHex}`,
        async () => {
          const result = await etcdctl(survivors, { op: 'member remove', id: m.id });
          expectSuccess('member remove', result);
          return true;
        },
        { timeoutMs: 30_000, intervalMs: 250 },
      );
    }
    // The removed member stops itself: it learns it is no longer part of the cluster.
    const removed = started.find((s) => s.name === 'etcd-2' && s.log.includes('three'));
    await waitFor('the removed member to exit', () => removed?.child.exitCode !== null, {
      timeoutMs: 30_000,
    });
    const after = readMemberList(await etcdctl(survivors, { op: 'member list' }));
    expect(after.map((m) => m.name).sort()).toEqual(['etcd-0', 'etcd-1']);
    await waitHealthy(survivors);
  });
});

describe('joining an existing cluster', () => {
  it('adds a member through the first, started as existing', { timeout: 60_000 }, async () => {
    const [a, b] = await Promise.all([node('etcd/0'), node('etcd/1')]);
    if (a === undefined || b === undefined) throw new Error('no nodes');
    startEtcd(a, initialCluster([a.peer]), 'new', 'join');
    await waitHealthy([a.clientUrl]);

    const added = readMemberAdd(
      await etcdctl([a.clientUrl], {
        op: 'member add',
        name: b.name,
        peerUrls: [b.peer.peerUrl],
      }),
    );
    expect(added.added.name).toBe('');
    expect(added.members).toHaveLength(2);
    const cluster = initialClusterAfterAdd(added, b.name);
    expect(cluster).toBe(initialCluster([a.peer, b.peer]));
    startEtcd(b, cluster, 'existing', 'join');

    const both = [a.clientUrl, b.clientUrl];
    await waitHealthy(both);
    const members = readMemberList(await etcdctl(both, { op: 'member list' }));
    expect(members.map((m) => [m.name, isStarted(m)])).toEqual(
      expect.arrayContaining([
        ['etcd-0', true],
        ['etcd-1', true],
      ]),
    );
    expect(members).toHaveLength(2);
  });
});
