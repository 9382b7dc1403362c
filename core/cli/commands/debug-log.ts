// `rune debug-log [--include UNIT|APP]... [--replay] [--format text|json]`: each hook's start
// and end with unit, hook and duration; --replay shows the whole log, else only what comes next
// (followed until interrupted).
import { setTimeout as delay } from 'node:timers/promises';
import type { HookLogEntry } from '../../store/types.js';
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';

const usage = 'rune debug-log [--include UNIT|APP]... [--replay] [--format text|json] [--no-tail]';

function included(entry: HookLogEntry, include: readonly string[]): boolean {
  if (include.length === 0) return true;
  const app = entry.unit.split('/')[0] ?? '';
  return include.some((i) => i === entry.unit || i === app);
}

function line(entry: HookLogEntry, format: string): string {
  const ms =
    entry.endedAt === undefined
      ? undefined
      : Date.parse(entry.endedAt) - Date.parse(entry.startedAt);
  if (format === 'json') {
    return JSON.stringify({
      unit: entry.unit,
      hook: entry.hook,
      ...entry.detail,
      kind: entry.detail.kind,
      started: entry.startedAt,
      ended: entry.endedAt ?? null,
      durationMs: ms ?? null,
      outcome: entry.outcome ?? 'running',
      message: entry.message,
      logs: entry.logs,
    });
  }
  const outcome = entry.outcome ?? 'running';
  const took = ms === undefined ? '' : ` (${ms} ms)`;
  const why = entry.message ? `: ${entry.message}` : '';
  const head = `${entry.startedAt} ${entry.unit} ${entry.hook} ${outcome}${took}${why}`;
  // What the charm logged, under its hook, as Juju's debug-log interleaves unit logs.
  return [head, ...entry.logs.map((l) => `  ${l.level.toUpperCase()} ${l.message}`)].join('\n');
}

export const debugLog: Command = {
  usage,
  help: [
    'Shows the hooks units run: when each started, how it ended and how long it took.',
    '',
    'Flags:',
    '  --include X   only unit X, or the units of application X (repeatable)',
    '  --replay      start from the beginning of the log',
    '  --format F    text (default) or json (one object per line)',
    '  --no-tail     print what there is and exit instead of following',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      {
        include: { type: 'string', multiple: true },
        replay: { type: 'boolean' },
        format: { type: 'string' },
        'no-tail': { type: 'boolean' },
      },
      usage,
    );
    if (positionals.length > 0)
      throw new UsageError(`unexpected argument "${positionals[0]}"`, usage);
    const format = values.format ?? 'text';
    if (format !== 'text' && format !== 'json')
      throw new UsageError(`unknown format "${format}"`, usage);
    const include = values.include ?? [];
    const client = await controllerClient(io);
    const printed = new Set<number>();
    const show = (entries: HookLogEntry[]) => {
      for (const e of entries) {
        // A hook is shown once, when it has ended (its outcome and duration known).
        if (e.outcome === undefined || printed.has(e.id) || !included(e, include)) continue;
        printed.add(e.id);
        io.out(line(e, format));
      }
    };
    const { entries } = await client.hookLog(0);
    // As Juju: the whole log with --replay, else the last ten lines, then what comes next.
    show(values.replay ? entries : entries.filter((e) => e.outcome !== undefined).slice(-10));
    // Scripts and pipes get what there is; a terminal follows until interrupted.
    if (values['no-tail'] || !process.stdout.isTTY) return 0;
    let after = 0;
    for (;;) {
      await delay(500);
      const next = (await client.hookLog(after)).entries;
      show(next);
      // Advance past entries that have ended, never past one still running.
      for (const e of next) {
        if (e.outcome === undefined) break;
        after = e.id;
      }
    }
  },
};
