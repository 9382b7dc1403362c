// etcdctl (3.4, API v3) as command strings for `ctx.machine.run`, and readers for what those
// commands print. Free of I/O: the charm runs the string and hands the result back here.
// TLS material is always passed as file paths, so no key or certificate is ever in a command.
import { type CommandResult, commandLine } from 'rune/charm';
import {
  type EndpointHealth,
  type Member,
  type MemberAdded,
  parseEndpointHealth,
  parseMemberAdd,
  parseMemberList,
} from './cluster.js';
import { EtcdctlFailedError, EtcdctlUsageError } from './errors.js';
import { JsonReader, parseEtcdctlJson } from './json.js';
import { ETCDCTL_BIN } from './paths.js';

export interface EtcdctlTarget {
  /** Client URLs, e.g. `https://10.0.0.5:2379`. */
  endpoints: readonly string[];
  cacert: string;
  cert: string;
  key: string;
  bin?: string;
  /** etcdctl's `--command-timeout` (default 5 s); a health poll may want it shorter. */
  commandTimeoutMs?: number;
}

export type EtcdctlOp =
  | { op: 'member list' }
  | { op: 'member add'; name: string; peerUrls: readonly string[] }
  | { op: 'member remove'; id: bigint }
  /** `simple`: etcdctl's own words (`… is unhealthy: …`), for a person to read, not JSON. */
  | { op: 'endpoint health'; cluster?: boolean; simple?: boolean }
  | { op: 'endpoint status' }
  | { op: 'move-leader'; to: bigint }
  | { op: 'put'; key: string; value: string }
  | { op: 'get'; key: string }
  | { op: 'count' }
  | { op: 'snapshot save'; path: string }
  | { op: 'snapshot status'; path: string }
  | {
      op: 'snapshot restore';
      path: string;
      name: string;
      dataDir: string;
      initialCluster: string;
      token: string;
      peerUrl: string;
    }
  | { op: 'compact'; revision: bigint; physical?: boolean }
  | { op: 'defrag' };

function operationArgs(target: EtcdctlTarget, op: EtcdctlOp): string[] {
  switch (op.op) {
    case 'member list':
      return ['member', 'list', '-w', 'json'];
    case 'member add':
      if (op.peerUrls.length === 0) throw new EtcdctlUsageError(op.op, 'no peer URL given');
      return ['member', 'add', op.name, `--peer-urls=${op.peerUrls.join(',')}`, '-w', 'json'];
    case 'member remove':
      // etcdctl takes the id in hex only; decimal fails with "expecting ID in Hex".
      return ['member', 'remove', op.id.toString(16)];
    case 'endpoint health':
      return [
        'endpoint',
        'health',
        ...(op.cluster ? ['--cluster'] : []),
        ...(op.simple ? [] : ['-w', 'json']),
      ];
    case 'endpoint status':
      return ['endpoint', 'status', '-w', 'json'];
    case 'move-leader':
      // Hex, as member remove takes it.
      return ['move-leader', op.to.toString(16)];
    case 'put':
      // `--` so a key or value that starts with `-` is not read as a flag.
      return ['put', '--', op.key, op.value];
    case 'get':
      // JSON carries the value base64-encoded: lossless, where --print-value-only adds a newline.
      return ['get', '-w', 'json', '--', op.key];
    case 'count':
      // Every key (the empty prefix), one returned: the JSON's `count` is the total. 3.4 has no
      // --count-only.
      return ['get', '--prefix', '--keys-only', '--limit=1', '-w', 'json', '--', ''];
    case 'snapshot save':
      // etcdctl 3.4 refuses a snapshot from several endpoints; say so before running anything.
      if (target.endpoints.length !== 1) {
        throw new EtcdctlUsageError(
          op.op,
          `needs exactly one endpoint, got ${target.endpoints.length}`,
        );
      }
      return ['snapshot', 'save', op.path];
    case 'snapshot status':
      // Offline, as restore: reads the file only.
      return ['snapshot', 'status', op.path, '-w', 'json'];
    case 'snapshot restore':
      // Offline: it writes a fresh data dir for a new one-member cluster and reads no endpoint.
      return [
        'snapshot',
        'restore',
        op.path,
        `--name=${op.name}`,
        `--data-dir=${op.dataDir}`,
        `--initial-cluster=${op.initialCluster}`,
        `--initial-cluster-token=${op.token}`,
        `--initial-advertise-peer-urls=${op.peerUrl}`,
      ];
    case 'compact':
      return ['compact', op.revision.toString(), ...(op.physical ? ['--physical'] : [])];
    case 'defrag':
      return ['defrag'];
  }
}

/** etcdctl's argv, binary first. */
export function etcdctlArgv(target: EtcdctlTarget, op: EtcdctlOp): string[] {
  if (target.endpoints.length === 0) throw new EtcdctlUsageError(op.op, 'no endpoint given');
  const timeout =
    target.commandTimeoutMs === undefined ? [] : [`--command-timeout=${target.commandTimeoutMs}ms`];
  return [
    target.bin ?? ETCDCTL_BIN,
    `--endpoints=${target.endpoints.join(',')}`,
    `--cacert=${target.cacert}`,
    `--cert=${target.cert}`,
    `--key=${target.key}`,
    ...timeout,
    ...operationArgs(target, op),
  ];
}

/**
 * The shell command for `ctx.machine.run`. ETCDCTL_API=3 is 3.4's default, set anyway so an
 * ETCDCTL_API=2 left in the machine's environment cannot change what runs.
 */
export function etcdctlCommand(target: EtcdctlTarget, op: EtcdctlOp): string {
  return `ETCDCTL_API=3 ${commandLine(etcdctlArgv(target, op))}`;
}

function text(buffer: Buffer | string): string {
  return typeof buffer === 'string' ? buffer : buffer.toString('utf8');
}

/** Throws EtcdctlFailedError unless the command exited 0. */
export function expectSuccess(operation: EtcdctlOp['op'], result: CommandResult): string {
  if (result.code !== 0) throw new EtcdctlFailedError(operation, result.code, text(result.stderr));
  return text(result.stdout);
}

export function readMemberList(result: CommandResult): Member[] {
  return parseMemberList(expectSuccess('member list', result));
}

export function readMemberAdd(result: CommandResult): MemberAdded {
  return parseMemberAdd(expectSuccess('member add', result));
}

/**
 * Health of each endpoint. Exit code 1 with JSON on stdout means "some are unhealthy", which is
 * an answer; only a failure without that JSON (bad flags, unreadable certificate) throws.
 */
export function readEndpointHealth(result: CommandResult): EndpointHealth[] {
  const stdout = text(result.stdout);
  if (result.code !== 0 && !stdout.trim().startsWith('[')) {
    throw new EtcdctlFailedError('endpoint health', result.code, text(result.stderr));
  }
  return parseEndpointHealth(stdout);
}

export interface EndpointStatus {
  endpoint: string;
  memberId: bigint;
  /** Absent when the member knows no leader (lost quorum). */
  leader?: bigint;
  revision: bigint;
  version: string;
  dbSize: number;
  errors: string[];
}

/** `endpoint status -w json`: e.g. the latest revision, which `compact` wants when none is given. */
export function readEndpointStatus(result: CommandResult): EndpointStatus[] {
  const stdout = expectSuccess('endpoint status', result);
  const r = new JsonReader('endpoint status', stdout);
  return r.array(parseEtcdctlJson(r.operation, stdout), 'the output').map((value, i) => {
    const entry = r.object(value, `[${i}]`);
    const status = r.object(entry.Status, `[${i}].Status`);
    const header = r.object(status.header, `[${i}].Status.header`);
    const dbSize = status.dbSize;
    return {
      endpoint: r.string(entry.Endpoint, `[${i}].Endpoint`),
      memberId: r.uint64(header.member_id, `[${i}].Status.header.member_id`),
      ...(status.leader === undefined
        ? {}
        : { leader: r.uint64(status.leader, `[${i}].Status.leader`) }),
      revision: r.uint64(header.revision, `[${i}].Status.header.revision`),
      version: r.string(status.version, `[${i}].Status.version`),
      dbSize: typeof dbSize === 'number' ? dbSize : r.fail(`[${i}].Status.dbSize is not a number`),
      errors: r.strings(status.errors, `[${i}].Status.errors`),
    };
  });
}

/** The value of `key`, or undefined when it is not set. */
export function readGet(result: CommandResult): string | undefined {
  const stdout = expectSuccess('get', result);
  const r = new JsonReader('get', stdout);
  const body = r.object(parseEtcdctlJson(r.operation, stdout), 'the output');
  // etcdctl leaves `kvs` out altogether when nothing matched.
  if (body.kvs === undefined) return undefined;
  const first = r.array(body.kvs, 'kvs')[0];
  if (first === undefined) return undefined;
  const kv = r.object(first, 'kvs[0]');
  // etcd omits an empty value from the JSON.
  const value = r.optionalString(kv.value, 'kvs[0].value');
  return Buffer.from(value, 'base64').toString('utf8');
}

/** How many keys the cluster holds, and its revision (the `count` op). */
export function readKeyCount(result: CommandResult): { keys: bigint; revision: bigint } {
  const stdout = expectSuccess('count', result);
  const r = new JsonReader('count', stdout);
  const body = r.object(parseEtcdctlJson(r.operation, stdout), 'the output');
  const header = r.object(body.header, 'header');
  // etcd leaves `count` out when it is 0.
  const count = body.count;
  const keys =
    count === undefined
      ? 0n
      : typeof count === 'number'
        ? BigInt(count)
        : r.fail('count is not a number');
  return { keys, revision: r.uint64(header.revision, 'header.revision') };
}

const BOTH = '@@rune-both@@';
const EMPTY = Buffer.alloc(0);

/**
 * Two commands run at once on the machine, in one round trip: the hook waits for the slower,
 * not for both in turn. The first's stdout waits in a file under /run/rune (root's, made by the
 * session) and its stderr is dropped; the second's streams are the command's own.
 */
export function bothCommand(first: string, second: string): string {
  return (
    `t=/run/rune/both-$$; ( ${first} ) >"$t" 2>/dev/null & p=$!; ( ${second} ); c=$?; ` +
    `wait "$p"; f=$?; printf '\\n${BOTH} %s %s\\n' "$f" "$c"; cat "$t"; rm -f "$t"`
  );
}

/** bothCommand's result as the two commands' own: [first, second]. */
export function splitBoth(result: CommandResult): [CommandResult, CommandResult] {
  const stdout = text(result.stdout);
  const at = stdout.lastIndexOf(`\n${BOTH} `);
  if (result.code !== 0 || at < 0) {
    const failed = {
      code: result.code === 0 ? 1 : result.code,
      stdout: EMPTY,
      stderr: result.stderr,
    };
    return [failed, failed];
  }
  const end = stdout.indexOf('\n', at + 1);
  const [first, second] = stdout
    .slice(at + BOTH.length + 2, end < 0 ? undefined : end)
    .split(' ')
    .map(Number);
  return [
    { code: first ?? 1, stdout: Buffer.from(end < 0 ? '' : stdout.slice(end + 1)), stderr: EMPTY },
    { code: second ?? 1, stdout: Buffer.from(stdout.slice(0, at)), stderr: result.stderr },
  ];
}
