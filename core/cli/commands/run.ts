// `rune run UNIT|APP/leader ACTION [k=v...] [--wait[=T]]`: queues an action on one unit (DESIGN
// §10). With --wait it prints the results when the action ends: exit 0 when it completed, 1 when
// it failed, 2 when the wait ran out; without, it prints the id `rune show-action` takes.
import { waitFor } from '../../controller/wait-for.js';
import type { ActionRecord } from '../../store/types.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { parseDuration } from '../wait-units.js';

const usage = 'rune run UNIT|APP/leader ACTION [KEY=VALUE...] [--wait[=T]]';

/** Juju's layout: the unit, the action, its status, then results as YAML-ish lines. */
export function printAction(action: ActionRecord, io: Io): void {
  io.out(`${action.unit}: ${action.name} (action ${action.id})`);
  io.out(`  status: ${action.status}`);
  if (action.message !== '') io.out(`  message: ${action.message}`);
  const keys = Object.keys(action.results).sort();
  if (keys.length === 0) return;
  io.out('  results:');
  for (const key of keys) {
    const value = action.results[key] ?? '';
    if (!value.includes('\n')) io.out(`    ${key}: ${value}`);
    else {
      io.out(`    ${key}: |`);
      for (const line of value.replace(/\n$/, '').split('\n')) io.out(`      ${line}`);
    }
  }
}

export const done = (a: ActionRecord): boolean => a.status === 'completed' || a.status === 'failed';

export const run: Command = {
  usage,
  help: [
    "Runs an action declared in the charm's actions.yaml on one unit, or on the application's",
    "leader with APP/leader. Values are typed by the action's schema (3 → integer, true →",
    'boolean). --wait[=T] (default 10m) waits and prints the results.',
  ].join('\n'),
  async run(args, io) {
    const wait = args.find((a) => a === '--wait' || a.startsWith('--wait='));
    const { positionals } = parseFlags(
      args.filter((a) => a !== wait),
      {},
      usage,
    );
    const [target, action, ...words] = positionals;
    if (target === undefined || action === undefined)
      throw new UsageError('run needs a unit (or APP/leader) and an action', usage);
    const params: Record<string, string> = {};
    for (const word of words) {
      const eq = word.indexOf('=');
      if (eq <= 0) throw new UsageError(`expected KEY=VALUE, got "${word}"`, usage);
      params[word.slice(0, eq)] = word.slice(eq + 1);
    }
    const timeoutMs = wait?.includes('=') ? parseDuration(wait.slice('--wait='.length)) : 600_000;
    if (timeoutMs === undefined) throw new UsageError(`invalid --wait duration "${wait}"`, usage);
    const client = await controllerClient(io);
    const queued = await client.run({ target, action, params });
    if (wait === undefined) {
      io.out(`Queued action ${queued.id} (${action} on ${queued.unit}).`);
      io.out(`Check with: rune show-action ${queued.id}`);
      return 0;
    }
    let last: ActionRecord | undefined;
    try {
      last = await waitFor(
        `action ${queued.id} to end`,
        async () => {
          last = await client.action(queued.id);
          return done(last) && last;
        },
        { timeoutMs, intervalMs: 100 },
      );
    } catch {
      io.err(`action ${queued.id} did not end within ${wait}; rune show-action ${queued.id}`);
      return 2;
    }
    printAction(last, io);
    return last.status === 'completed' ? 0 : 1;
  },
};
