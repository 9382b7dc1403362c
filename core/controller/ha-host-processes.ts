// A member's processes on its own host (enable-ha --to): its etcd and its controller member, each
// started detached over SSH (a session of its own, beyond the SSH session's end), found again and
// stopped by their pid files, checked against their command lines.
import { dirname } from 'node:path';
import { commandLine, shellQuote } from '../charm/shell.js';
import type { RemoteMachine } from '../model/machine.js';
import { HaHostStepError } from './ha-host-errors.js';
import { errorText, type MemberHost } from './ha-hosts.js';
import { memberDir, memberPaths } from './member-paths.js';
import type { ControllerPaths } from './paths.js';
import type { StoreClusterInfo } from './wiring.js';

/** A session on a member's host, as these functions need it (a MemberHost is one). */
export type HostSession = Pick<MemberHost, 'machine' | 'address' | 'member' | 'node'> & {
  record: { id: string };
};

async function runOn(host: HostSession, step: string, command: string): Promise<string> {
  const fail = (detail: string) => new HaHostStepError(host.record.id, host.address, step, detail);
  const r = await host.machine.run(command, { timeoutMs: 30_000 }).catch((e: unknown) => {
    throw fail(errorText(e));
  });
  if (r.code !== 0) throw fail(r.stderr.toString().trim() || `exit code ${r.code}`);
  return r.stdout.toString();
}

/**
 * `argv` in the background on the host, in a session of its own, its output appended to `log`
 * and its pid (the shell's, which execs it) written to `pidFile` when given.
 */
function detached(argv: readonly string[], log: string, pidFile?: string, env = ''): string {
  const start = pidFile
    ? `setsid sh -c 'echo $$ > "$0"; exec "$@"' ${shellQuote(pidFile)} ${commandLine(argv)}`
    : `setsid ${commandLine(argv)}`;
  return `cd / && umask 077 && ${env}${start} >> ${shellQuote(log)} 2>&1 < /dev/null &`;
}

/** Starts store member `i` on its host with etcd's flags `args` (cluster-info.ts's memberArgs). */
export async function startHostStore(
  host: MemberHost,
  cluster: StoreClusterInfo,
  i: number,
  args: readonly string[],
): Promise<void> {
  const member = cluster.members[i];
  if (member === undefined) throw new RangeError(`no store member ${i} in ${cluster.dir}`);
  await runOn(
    host,
    `starting store member ${member.name} (etcd)`,
    detached([host.etcd, ...args], member.logFile, member.pidFile),
  );
}

/** The command that starts controller member `host.member` there. */
function memberStart(
  host: HostSession,
  home: string,
  name: string,
  paths: ControllerPaths,
  script: string,
) {
  const own = memberPaths(paths, host.member);
  const argv = [host.node, script, 'controller', 'run', name, '--member', String(host.member)];
  return detached(argv, own.log, undefined, `RUNE_HOME=${shellQuote(home)} `);
}

/** Starts controller member `host.member` there: `rune controller run NAME --member N`. */
export async function startHostMember(
  host: HostSession,
  home: string,
  name: string,
  paths: ControllerPaths,
  script: string,
): Promise<void> {
  await runOn(
    host,
    `starting controller member ${host.member}`,
    memberStart(host, home, name, paths, script),
  );
}

// The pid in file $1 when its process's arguments include each of $2...: a pid file may
// outlive its process, and the pid be someone else's by now.
const OURS = [
  'ours() { f=$1; shift; [ -f "$f" ] || return 1; p=$(cat "$f"); [ -r /proc/$p/cmdline ] ||',
  "  return 1; c=$(tr '\\0' '\\n' < /proc/$p/cmdline); for l in \"$@\"; do",
  '  printf "%s\\n" "$c" | grep -qxF -e "$l" || return 1; done; echo $p; }',
].join('\n');

const memberMarks = (name: string, n: number) => [name, '--member', String(n)];

/**
 * Starts controller member `host.member` on its host unless its process runs there (a member
 * that does not answer may be busy, or cut off: only a gone one is started again, as the CLI
 * does for members on this host). Says which it found.
 */
export async function ensureHostMember(
  host: HostSession,
  home: string,
  name: string,
  paths: ControllerPaths,
  script: string,
): Promise<'running' | 'started'> {
  const pidFile = memberPaths(paths, host.member).pid;
  const out = await runOn(
    host,
    `starting controller member ${host.member} again`,
    [
      OURS,
      `if ours ${commandLine([pidFile, ...memberMarks(name, host.member)])} >/dev/null; then`,
      '  echo running',
      'else',
      `  ${memberStart(host, home, name, paths, script)}`,
      '  echo started',
      'fi',
    ].join('\n'),
  );
  return out.trim() === 'running' ? 'running' : 'started';
}

/** The last lines of the member's log on its host, for an error that says why it did not start. */
export function hostMemberLog(host: HostSession, paths: ControllerPaths): Promise<string> {
  return tailOnHost(host, memberPaths(paths, host.member).log);
}

/** The last 5 lines of a log file on the host, each cut to 400 characters ('' when none). */
export async function tailOnHost(host: Pick<HostSession, 'machine'>, log: string): Promise<string> {
  const r = await host.machine
    .run(`tail -n 5 ${shellQuote(log)} 2>/dev/null | cut -c 1-400`, { timeoutMs: 10_000 })
    .catch(() => undefined);
  return r?.stdout.toString().trimEnd() ?? '';
}

/**
 * Stops member `n`'s controller process and its etcd on the machine (SIGTERM, then SIGKILL
 * after 10 s), each found by its pid file and checked by its command line (a pid file may
 * outlive its process, and the pid be someone else's by now), then removes the controller's
 * folder there (its store key, certificates and data go with it), or on a host sharing this
 * one's files the member's own folders only.
 */
export async function removeFromHost(
  machine: RemoteMachine,
  name: string,
  paths: ControllerPaths,
  cluster: StoreClusterInfo | undefined,
  n: number,
  sharedFiles: boolean,
): Promise<void> {
  const own = memberPaths(paths, n);
  const etcd = cluster?.members[n];
  // On a host that shares this one's files, the controller's folder is this host's too.
  const remove = sharedFiles
    ? [memberDir(paths, n), ...(etcd ? [dirname(etcd.dataDir)] : [])]
    : [paths.dir];
  const find = (file: string, marks: string[]) =>
    `p=$(ours ${commandLine([file, ...marks])}) && pids="$pids $p"`;
  const script = [
    OURS,
    'pids=',
    find(own.pid, memberMarks(name, n)),
    ...(etcd ? [find(etcd.pidFile, [`--data-dir=${etcd.dataDir}`])] : []),
    '[ -z "$pids" ] || kill -TERM $pids 2>/dev/null',
    // A bounded wait on the processes themselves: a member leaves the election as it stops.
    'left=; i=0; while [ $i -lt 100 ]; do left=; for p in $pids; do',
    '  kill -0 $p 2>/dev/null && left="$left $p"; done; [ -z "$left" ] && break;',
    '  sleep 0.1; i=$((i+1)); done',
    '[ -z "$left" ] || kill -KILL $left 2>/dev/null',
    `rm -rf ${commandLine(remove)}`,
  ].join('\n');
  const r = await machine.run(script, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(r.stderr.toString().trim() || `exit code ${r.code}`);
}
