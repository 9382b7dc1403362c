// Finding and killing a local machine's processes from the host: everything in its network
// namespace (`ip netns pids`) plus the detached `unshare` that owns its PID namespace, found by
// its `rune-machine:<machine>` argument even if the namespace file is already gone.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { Run } from './exec.js';
import { waitFor } from './wait.js';

/** A process as seen once; `start` (clock ticks since boot) tells a reused pid apart. */
export interface ProcessRef {
  pid: number;
  start: string;
}

export const NETNS_DIR = '/run/netns';

/** `rune-machine:<name>`: an argument of the machine's `unshare` (the init script's $0). */
export function machineMarker(name: string): string {
  return `rune-machine:${name}`;
}

async function stat(pid: number): Promise<{ state: string; start: string } | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself hold spaces or ')'.
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0] ?? '?', start: rest[19] ?? '' };
  } catch {
    return undefined;
  }
}

async function refOf(pid: number): Promise<ProcessRef | undefined> {
  const s = await stat(pid);
  return s && s.state !== 'Z' ? { pid, start: s.start } : undefined;
}

/** Gone: no such pid, a zombie (it holds no namespaces any more), or the pid was reused. */
async function isGone(ref: ProcessRef): Promise<boolean> {
  const s = await stat(ref.pid);
  return s === undefined || s.state === 'Z' || s.start !== ref.start;
}

/** Pids whose argv contains an argument starting with `prefix`, with the matching argument. */
export async function processesWithArg(prefix: string): Promise<{ pid: number; arg: string }[]> {
  const found: { pid: number; arg: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0');
    } catch {
      continue; // exited while we looked
    }
    const arg = argv.find((a) => a.startsWith(prefix));
    if (arg !== undefined) found.push({ pid: Number(entry), arg });
  }
  return found;
}

/** Every live process of machine `name`; the PID namespace's init (NSpid …1) first. */
export async function machineProcesses(run: Run, ip: string, name: string): Promise<ProcessRef[]> {
  const pids = new Set<number>();
  if (existsSync(`${NETNS_DIR}/${name}`)) {
    const { stdout } = await run(ip, ['netns', 'pids', name]);
    for (const word of stdout.split(/\s+/)) if (/^\d+$/.test(word)) pids.add(Number(word));
  }
  for (const { pid, arg } of await processesWithArg(machineMarker(name))) {
    if (arg === machineMarker(name)) pids.add(pid);
  }
  pids.delete(process.pid);
  const refs = (await Promise.all([...pids].map(refOf))).filter((r) => r !== undefined);
  const inits = new Set<number>();
  for (const ref of refs) {
    const status = await readFile(`/proc/${ref.pid}/status`, 'utf8').catch(() => '');
    const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
    if (nspid.length > 1 && nspid[nspid.length - 1] === '1') inits.add(ref.pid);
  }
  return refs.sort((a, b) => Number(inits.has(b.pid)) - Number(inits.has(a.pid)));
}

/**
 * SIGKILLs `refs` (init first: its death takes the whole PID namespace with it) and waits until
 * each is gone. SIGKILL because a machine is being destroyed, not shut down.
 */
export async function killAndWait(
  refs: readonly ProcessRef[],
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  for (const ref of refs) {
    if (await isGone(ref)) continue;
    try {
      process.kill(ref.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await waitFor(
    async () => ((await Promise.all(refs.map(isGone))).every(Boolean) ? true : undefined),
    { what: `the processes of ${what} to exit`, timeoutMs, intervalMs: 5 },
  );
}
