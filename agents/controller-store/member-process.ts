// A store member's etcd process on this host: started detached in a session of its own (so that a
// controller member killed with SIGKILL leaves its etcd running), found again by pid file and
// /proc, and stopped (SIGTERM, then SIGKILL after a grace).
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { waitFor } from '../../core/controller/wait-for.js';
import { processesWithArg } from '../providers/local/processes.js';
import { dataDirArg, memberArgs, type StoreClusterInfo, type StoreMember } from './cluster-info.js';
import { StoreMemberStopError } from './errors.js';

/** A process as seen once: the start time (clock ticks since boot) tells a reused pid apart. */
interface ProcessRef {
  pid: number;
  start: string;
}

function readStat(pid: number): { state: string; start: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name in parentheses, which may itself hold ') '.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', start: rest[19] ?? '' };
  } catch {
    return undefined;
  }
}

function isGone(ref: ProcessRef): boolean {
  const stat = readStat(ref.pid);
  return stat === undefined || stat.state === 'Z' || stat.start !== ref.start;
}

/** The member's pid when its pid file names a live etcd running with the member's data dir. */
export function runningPid(member: StoreMember): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(member.pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const stat = readStat(pid);
  if (stat === undefined || stat.state === 'Z') return undefined;
  try {
    // A pid file outlives its process, and the pid may since belong to anything else.
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes(dataDirArg(member)) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Every live process running with this member's data dir, pid file or not. */
async function memberProcesses(member: StoreMember): Promise<ProcessRef[]> {
  const arg = dataDirArg(member);
  const found = (await processesWithArg(arg)).filter((p) => p.arg === arg);
  const refs: ProcessRef[] = [];
  for (const { pid } of found) {
    const stat = readStat(pid);
    if (stat !== undefined && stat.state !== 'Z') refs.push({ pid, start: stat.start });
  }
  return refs;
}

/** Whether some process still runs with this member's data dir (for callers and tests). */
export async function memberHasProcess(member: StoreMember): Promise<boolean> {
  return (await memberProcesses(member)).length > 0;
}

/**
 * Starts member `i` with `etcd`, its output appended to its log file, and records its pid. The
 * child is detached (a session and process group of its own) and unreferenced: it outlives this
 * process, whose death by any signal does not reach it.
 */
export function startMember(info: StoreClusterInfo, i: number, etcd: string): ChildProcess {
  const member = info.members[i];
  if (member === undefined) throw new RangeError(`no store member ${i} in ${info.dir}`);
  const log = openSync(member.logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(etcd, memberArgs(info, i), {
      detached: true,
      stdio: ['ignore', log, log],
      env: etcdEnv(),
    });
  } finally {
    closeSync(log);
  }
  child.unref();
  if (child.pid !== undefined) writeFileSync(member.pidFile, `${child.pid}\n`, { mode: 0o600 });
  return child;
}

/**
 * The environment without ETCD_* variables: etcd reads its flags from them too, and refuses to
 * start when one shadows a flag given on the command line.
 */
function etcdEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_')));
}

/**
 * Stops these members' processes, found by data dir so that one whose pid file was lost goes too:
 * SIGTERM (etcd closes its WAL cleanly), then SIGKILL for what is left after `graceMs`. One member
 * after another: a leader told to stop first hands leadership to a connected peer, which takes
 * milliseconds while its peers run and seconds (a timeout) when they are stopping at the same time.
 */
export async function stopMembers(members: readonly StoreMember[], graceMs: number): Promise<void> {
  for (const member of members) {
    const refs = await memberProcesses(member);
    signal(refs, 'SIGTERM');
    const exited = await waitFor(`${member.name} to exit after SIGTERM`, () => refs.every(isGone), {
      timeoutMs: graceMs,
      intervalMs: 10,
    }).then(
      () => true,
      () => false,
    );
    if (!exited) {
      signal(refs, 'SIGKILL');
      await waitFor(`${member.name} to exit after SIGKILL`, () => refs.every(isGone), {
        timeoutMs: 5_000,
      }).catch(() => {
        const stuck = refs.find((r) => !isGone(r));
        if (stuck) throw new StoreMemberStopError(member.name, stuck.pid);
      });
    }
    rmSync(member.pidFile, { force: true });
  }
}

function signal(refs: readonly ProcessRef[], sig: NodeJS.Signals): void {
  for (const ref of refs) {
    if (isGone(ref)) continue;
    try {
      process.kill(ref.pid, sig);
    } catch {
      // Exited meanwhile: what we wanted.
    }
  }
}

/**
 * The last `n` lines of a log file, for an error message ('' when there is none), each cut to
 * `width`: etcd's fatal lines carry a Go stack trace after the message that matters.
 */
export async function lastLogLines(file: string, n: number, width = 400): Promise<string> {
  if (!existsSync(file)) return '';
  const lines = (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-n);
  return lines.map((line) => (line.length > width ? `${line.slice(0, width)}…` : line)).join('\n');
}
