// Running commands on the unit's machine: output as text, and a command that must succeed.
import type { Ctx } from './env.js';
import { EtcdCommandError } from './workload/errors.js';

export function text(data: Buffer | string): string {
  return typeof data === 'string' ? data : data.toString('utf8');
}

/** Runs a command that must succeed; `what` names it in the error. */
export async function must(
  ctx: Ctx,
  what: string,
  command: string,
  timeoutMs?: number,
): Promise<string> {
  const result = await ctx.machine.run(
    command,
    timeoutMs === undefined ? undefined : { timeoutMs },
  );
  if (result.code !== 0) {
    throw new EtcdCommandError(what, result.code, text(result.stderr) || text(result.stdout));
  }
  return text(result.stdout);
}
