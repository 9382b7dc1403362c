// Declaring and running a workload service so that it restarts exactly when what it reads
// changed: its argv, the files it loads at start (certificates, tokens, kubeconfigs) or its
// binary. Files are not watched by the Kubernetes daemons, so a new token file needs a restart.
import { createHash } from 'node:crypto';
import type { HookContext } from 'rune/charm';

export interface WorkloadService {
  name: string;
  /** argv: the binary, then its flags. */
  command: string[];
  /** Everything else the process reads at start (file contents): a change means a restart. */
  inputs?: readonly string[];
}

/** Where runService keeps what the service last ran with. */
const stateKey = (name: string) => `service:${name}`;

/** What a service runs with: its argv and inputs, hashed (kept in ctx.state by runService). */
export function fingerprint(service: WorkloadService): string {
  const hash = createHash('sha256').update(JSON.stringify(service.command));
  for (const input of service.inputs ?? []) hash.update('\0').update(input);
  return hash.digest('hex');
}

/**
 * Installs the service, starts it, or restarts it when its fingerprint moved (or `restart` asks,
 * e.g. a new binary). Resolves to the state the machine reports afterwards, never an assumed one.
 */
export async function runService(
  ctx: HookContext,
  service: WorkloadService,
  restart = false,
): Promise<string> {
  const key = stateKey(service.name);
  const wanted = fingerprint(service);
  await ctx.machine.services.install({ name: service.name, command: service.command });
  const before = (await ctx.machine.services.status(service.name)).state;
  if (before === 'running' && (restart || ctx.state.get(key) !== wanted)) {
    await ctx.machine.services.restart(service.name);
  } else if (before !== 'running') {
    await ctx.machine.services.start(service.name);
  }
  ctx.state.set(key, wanted);
  return (await ctx.machine.services.status(service.name)).state;
}

/** Whether runService would restart `service` now: it was started with other argv or inputs,
 * or `restart` (a new binary) asks. A service this unit never started has nothing to restart. */
export function restartDue(ctx: HookContext, service: WorkloadService, restart = false): boolean {
  const ran = ctx.state.get(stateKey(service.name));
  return ran !== undefined && (restart || ran !== fingerprint(service));
}

/**
 * Of `names`, those the machine runs now. Only services this unit started (runService) are
 * asked about: a unit that never ran them (blocked on a missing binary) costs no round trip.
 */
export async function runningServices(
  ctx: HookContext,
  names: readonly string[],
): Promise<string[]> {
  const out: string[] = [];
  for (const name of names) {
    if (ctx.state.get(stateKey(name)) === undefined) continue;
    if ((await ctx.machine.services.status(name)).state === 'running') out.push(name);
  }
  return out;
}

/** Restarts those of `names` that are installed (the restart and upgrade actions). */
export async function restartInstalled(
  ctx: HookContext,
  names: readonly string[],
): Promise<string[]> {
  const done: string[] = [];
  for (const name of names) {
    if ((await ctx.machine.services.status(name)).state === 'missing') continue;
    await ctx.machine.services.restart(name);
    done.push(name);
  }
  return done;
}

/** Stops those of `names` that are installed (the stop hook of a unit that may never have run
 * them, e.g. one that stayed blocked on a missing binary). */
export async function stopInstalled(ctx: HookContext, names: readonly string[]): Promise<void> {
  for (const name of names) {
    if ((await ctx.machine.services.status(name)).state !== 'missing') {
      await ctx.machine.services.stop(name);
    }
  }
}
