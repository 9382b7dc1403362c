// etcdctl.ts: the command strings a charm runs (TLS flags, quoting, hex ids) and the readers of
// their results (exit codes, unhealthy-but-answered health, base64 values).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EtcdctlFailedError, EtcdctlUsageError } from '../../../charms/etcd/workload/errors.js';
import {
  type EtcdctlTarget,
  bothCommand,
  etcdctlArgv,
  etcdctlCommand,
  expectSuccess,
  readEndpointHealth,
  readEndpointStatus,
  readGet,
  readMemberAdd,
  readMemberList,
  splitBoth,
} from '../../../charms/etcd/workload/etcdctl.js';

const target: EtcdctlTarget = {
  endpoints: ['https://10.0.0.5:2379', 'https://10.0.0.6:2379'],
  cacert: '/etc/etcd/tls/ca.crt',
  cert: '/etc/etcd/tls/client.crt',
  key: '/etc/etcd/tls/client.key',
};
const one: EtcdctlTarget = { ...target, endpoints: ['https://10.0.0.5:2379'] };

const result = (code: number, stdout: string, stderr = '') => ({
  code,
  stdout: Buffer.from(stdout),
  stderr: Buffer.from(stderr),
});

/** What sh would hand etcdctl as argv for a command string. */
function shellWords(command: string): string[] {
  const out = execFileSync('/bin/sh', [
    '-c',
    `set -- ${command.replace(/^ETCDCTL_API=3 /, '')}; printf '%s\\0' "$@"`,
  ]);
  return out.toString('utf8').split('\0').slice(0, -1);
}

describe('etcdctlArgv', () => {
  it('always names endpoints and the TLS files, then the operation', () => {
    expect(etcdctlArgv(target, { op: 'member list' })).toEqual([
      '/usr/bin/etcdctl',
      '--endpoints=https://10.0.0.5:2379,https://10.0.0.6:2379',
      '--cacert=/etc/etcd/tls/ca.crt',
      '--cert=/etc/etcd/tls/client.crt',
      '--key=/etc/etcd/tls/client.key',
      'member',
      'list',
      '-w',
      'json',
    ]);
  });

  it.each([
    {
      op: { op: 'member add', name: 'etcd-3', peerUrls: ['https://10.0.0.8:2380'] },
      tail: ['member', 'add', 'etcd-3', '--peer-urls=https://10.0.0.8:2380', '-w', 'json'],
    },
    // In hex: etcdctl 3.4 rejects a decimal id ("expecting ID in Hex").
    {
      op: { op: 'member remove', id: 16729125191918758855n },
      tail: ['member', 'remove', 'e829caba335b2bc7'],
    },
    { op: { op: 'endpoint health' }, tail: ['endpoint', 'health', '-w', 'json'] },
    {
      op: { op: 'endpoint health', cluster: true },
      tail: ['endpoint', 'health', '--cluster', '-w', 'json'],
    },
    { op: { op: 'endpoint status' }, tail: ['endpoint', 'status', '-w', 'json'] },
    {
      op: { op: 'put', key: '/coreos.com/network/config', value: '-{"Network":"10.1.0.0/16"}' },
      tail: ['put', '--', '/coreos.com/network/config', '-{"Network":"10.1.0.0/16"}'],
    },
    { op: { op: 'get', key: '-k' }, tail: ['get', '-w', 'json', '--', '-k'] },
    { op: { op: 'compact', revision: 42n }, tail: ['compact', '42'] },
    {
      op: { op: 'compact', revision: 42n, physical: true },
      tail: ['compact', '42', '--physical'],
    },
    { op: { op: 'defrag' }, tail: ['defrag'] },
  ] as const)('$op.op → $tail', ({ op, tail }) => {
    expect(etcdctlArgv(target, op).slice(5)).toEqual(tail);
  });

  it('snapshots from exactly one endpoint, as etcdctl 3.4 insists', () => {
    expect(
      etcdctlArgv(one, { op: 'snapshot save', path: '/var/backups/etcd/s.db' }).slice(5),
    ).toEqual(['snapshot', 'save', '/var/backups/etcd/s.db']);
    expect(() => etcdctlArgv(target, { op: 'snapshot save', path: '/x' })).toThrow(
      /snapshot save: needs exactly one endpoint, got 2/,
    );
  });

  it('refuses to build a command without an endpoint or a peer URL', () => {
    expect(() => etcdctlArgv({ ...target, endpoints: [] }, { op: 'defrag' })).toThrow(
      EtcdctlUsageError,
    );
    expect(() => etcdctlArgv(target, { op: 'member add', name: 'x', peerUrls: [] })).toThrow(
      /no peer URL/,
    );
  });

  it('honours another binary and a shorter command timeout', () => {
    const argv = etcdctlArgv(
      { ...one, bin: '/snap/bin/etcd.etcdctl', commandTimeoutMs: 1500 },
      { op: 'endpoint health' },
    );
    expect(argv[0]).toBe('/snap/bin/etcd.etcdctl');
    expect(argv).toContain('--command-timeout=1500ms');
  });
});

describe('etcdctlCommand', () => {
  it('pins the v3 API and quotes what needs it, so sh hands etcdctl the argv unchanged', () => {
    const op = { op: 'put', key: "it's a $key", value: 'v; rm -rf / `x` *' } as const;
    const command = etcdctlCommand({ ...one, key: '/tmp/my keys/client.key' }, op);
    expect(command.startsWith('ETCDCTL_API=3 /usr/bin/etcdctl ')).toBe(true);
    expect(shellWords(command)).toEqual(
      etcdctlArgv({ ...one, key: '/tmp/my keys/client.key' }, op),
    );
  });
});

describe('readers', () => {
  it('reads the member list and fails with the exit code and stderr otherwise', () => {
    const list = '{"members":[{"ID":16729125191918758855,"name":"etcd-0","peerURLs":["p"]}]}';
    expect(readMemberList(result(0, list))[0]?.id).toBe(16729125191918758855n);
    const failed = () => readMemberList(result(1, '', 'Error: context deadline exceeded\n'));
    expect(failed).toThrow(EtcdctlFailedError);
    expect(failed).toThrow(
      'etcdctl member list failed with exit code 1: Error: context deadline exceeded',
    );
  });

  it("quotes etcdctl's Error line, not the retry log lines before it", () => {
    const stderr =
      '{"level":"warn","msg":"retrying of unary invoker failed","error":"rpc error"}\n' +
      'Error: etcdserver: unhealthy cluster\n';
    expect(() => expectSuccess('member remove', result(1, '', stderr))).toThrow(
      /^etcdctl member remove failed with exit code 1: Error: etcdserver: unhealthy cluster$/,
    );
  });

  it('reads member add', () => {
    const out = '{"member":{"ID":5,"peerURLs":["p5"]},"members":[{"ID":5,"peerURLs":["p5"]}]}';
    expect(readMemberAdd(result(0, out)).added.id).toBe(5n);
    expect(() =>
      readMemberAdd(
        result(
          1,
          '',
          'Error: etcdserver: re-configuration failed due to not enough started members',
        ),
      ),
    ).toThrow(/not enough started members/);
  });

  it('takes unhealthy endpoints as an answer: etcdctl exits 1 but prints the JSON', () => {
    const out =
      '[{"endpoint":"https://a:2379","health":false,"took":"5s","error":"context deadline exceeded"}]';
    expect(readEndpointHealth(result(1, out, 'Error: unhealthy cluster'))).toEqual([
      {
        endpoint: 'https://a:2379',
        healthy: false,
        took: '5s',
        error: 'context deadline exceeded',
      },
    ]);
    expect(() => readEndpointHealth(result(1, '', 'Error: open /x/ca.crt: no such file'))).toThrow(
      /endpoint health failed with exit code 1: Error: open/,
    );
  });

  it('reads the revision and leader from endpoint status, and a lost leader', () => {
    const out =
      '[{"Endpoint":"127.0.0.1:23791","Status":{"header":{"cluster_id":5298435163934787985,' +
      '"member_id":8645782499530242234,"revision":2,"raft_term":2},"version":"3.4.23",' +
      '"dbSize":20480,"raftIndex":6,"raftTerm":2,"raftAppliedIndex":6,' +
      '"errors":["etcdserver: no leader"],"dbSizeInUse":12288}}]';
    expect(readEndpointStatus(result(0, out))).toEqual([
      {
        endpoint: '127.0.0.1:23791',
        memberId: 8645782499530242234n,
        revision: 2n,
        version: '3.4.23',
        dbSize: 20480,
        errors: ['etcdserver: no leader'],
      },
    ]);
  });

  it('decodes a value, and tells a missing key from an empty value', () => {
    const found =
      '{"header":{"revision":2},"kvs":[{"key":"Zm9v","create_revision":2,"mod_revision":2,"version":1,"value":"LXYgIHgK"}],"count":1}';
    expect(readGet(result(0, found))).toBe('-v  x\n');
    expect(readGet(result(0, '{"header":{"revision":2}}'))).toBeUndefined();
    expect(readGet(result(0, '{"kvs":[{"key":"Zm9v","version":1}],"count":1}'))).toBe('');
  });
});

describe('bothCommand and splitBoth', () => {
  const run = (script: string) => {
    const r = spawnSync('/bin/sh', ['-c', script.replaceAll('/run/rune/', `${dir}/`)]);
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  };
  const dir = mkdtempSync(join(tmpdir(), 'rune-both-'));

  it('runs both at once and hands each its own output and exit code', () => {
    const script = bothCommand(
      "sleep 0.2; printf 'first\\nout'; echo oops >&2; exit 3",
      "printf 'second out'; echo err >&2; exit 1",
    );
    const started = Date.now();
    const [first, second] = splitBoth(run(script));
    expect(Date.now() - started).toBeLessThan(2000);
    expect([first.code, first.stdout.toString()]).toEqual([3, 'first\nout']);
    expect([second.code, second.stdout.toString(), second.stderr.toString()]).toEqual([
      1,
      'second out',
      'err\n',
    ]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('reads a command that never ran as both failed', () => {
    const [first, second] = splitBoth({
      code: 255,
      stdout: Buffer.alloc(0),
      stderr: Buffer.from('x'),
    });
    expect([first.code, second.code]).toEqual([255, 255]);
  });
});
