// `rune show-status-log ENTITY [-n N] [--type T] [--format tabular|json]` (issue 17 item 2, as
// Juju's show-status-log): an entity's status transitions with time and message, newest last.
// ENTITY is a unit (workload and agent merged), a machine id, an application, or `model`.
import { STATUS_LOG_TYPES, type StatusLogFilter } from '../../controller/status-log-view.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { FlagValueError, UsageError } from '../errors.js';
import { table } from '../../controller/status-text/table.js';

const usage = 'rune show-status-log ENTITY [-n N] [--type TYPE] [--format tabular|json]';
const FORMATS = ['tabular', 'json'];

function limitOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[1-9][0-9]{0,8}$/.test(text))
    throw new FlagValueError('-n', 'a whole number from 1', text);
  return Number(text);
}

function typeOf(text: string | undefined): StatusLogFilter | undefined {
  if (text === undefined) return undefined;
  const known: readonly string[] = STATUS_LOG_TYPES;
  if (!known.includes(text)) throw new FlagValueError('--type', `one of ${known.join(', ')}`, text);
  return text as StatusLogFilter;
}

export const showStatusLog: Command = {
  usage,
  help: [
    'Shows the status transitions of a unit, a machine, an application or the model, oldest',
    'first: each change of status or message, with its time. A status set again unchanged is',
    'not a new entry.',
    '',
    'ENTITY:',
    "  etcd/0    a unit: its workload and its agent's (juju-unit) statuses, merged",
    '  3         a machine: started, down (its probes failing) and back; its units show',
    '            their agent lost meanwhile',
    '  etcd      an application: the statuses its leader set (none yet: Rune derives an',
    "            application's status from its units)",
    "  model     the controller's own entries: the resurrector's meltdown brake (on, with",
    '            why, and released) and each lost machine it replaced',
    '',
    'Flags:',
    '  -n N          only the newest N entries',
    `  --type TYPE   only one kind of entry: ${STATUS_LOG_TYPES.join(', ')} (unit: both`,
    "                of a unit's; application: reads ENTITY as an application)",
    '  --format F    tabular (default) or json',
    '',
    'The controller keeps the newest entries of each (a unit keeps its workload and agent',
    'entries apart): rune model-config status-history-size=N (default 100).',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        limit: { type: 'string', short: 'n' },
        type: { type: 'string' },
        format: { type: 'string' },
      },
      usage,
    );
    const [entity, extra] = positionals;
    if (entity === undefined)
      throw new UsageError('name a unit, machine, application or model', usage);
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const format = values.format ?? 'tabular';
    if (!FORMATS.includes(format)) {
      throw new FlagValueError('--format', FORMATS.join(' or '), format);
    }
    const limit = limitOf(values.limit);
    const type = typeOf(values.type);
    const client = await controllerClient(io);
    const log = await client.statusLog({
      entity,
      ...(type === undefined ? {} : { type }),
      ...(limit === undefined ? {} : { limit }),
    });
    if (format === 'json') {
      io.out(JSON.stringify(log.entries));
      return 0;
    }
    if (log.entries.length === 0) {
      io.out(
        log.kind === 'application'
          ? `No status history for ${entity}: its leader has set no application status ` +
              `(rune status derives one from its units; rune show-status-log ${entity}/N shows a unit's).`
          : `No status history for ${entity}.`,
      );
      return 0;
    }
    const rows = log.entries.map((e) => [
      // To the second, as rune history prints time.
      e.since.replace(/\.\d+Z$/, 'Z'),
      e.type,
      e.status,
      e.message,
    ]);
    for (const line of table([['Time', 'Type', 'Status', 'Message'], ...rows])) io.out(line);
    return 0;
  },
};
