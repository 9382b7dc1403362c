// The machine's host name, as Kubernetes names the node (lowercase). Asked once, then kept in
// ctx.state: a machine's name does not change under a running unit.
import type { HookContext } from 'rune/charm';
import { CommandFailedError } from './errors.js';

export const HOSTNAME_COMMAND = 'hostname';

export async function hostnameOf(ctx: HookContext): Promise<string> {
  const kept = ctx.state.get('hostname');
  if (typeof kept === 'string' && kept !== '') return kept;
  const r = await ctx.machine.run(HOSTNAME_COMMAND);
  const name = r.stdout.toString().trim().toLowerCase();
  if (r.code !== 0 || name === '') {
    throw new CommandFailedError('hostname', r.code, r.stderr.toString() || 'printed nothing');
  }
  ctx.state.set('hostname', name);
  return name;
}
