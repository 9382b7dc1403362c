// `rune history [APP] [--format tabular|json]` (DESIGN §11, issue 14 item 5): the model's numbered
// revisions, oldest first — when, the command, and what it changed — for the whole model or the
// revisions that touched APP. json gives each revision's structured diff.
import { parseFlags } from '../args.js';
import type { Command } from '../command.js';
import { controllerClient } from '../controller-access.js';
import { UsageError } from '../errors.js';
import { table } from '../../controller/status-text/table.js';

const usage = 'rune history [APP] [--format tabular|json]';
const FORMATS = ['tabular', 'json'];

export const history: Command = {
  usage,
  help: [
    'Lists model revisions, oldest first: each change (deploy, config, refresh, attach-resource,',
    'relate, remove-relation, add-unit, remove-unit, remove-application, rollback, rollout',
    '--abort) is one. With APP, only those that touched it. --format json gives each',
    "revision's structured diff. Secret option values are never recorded. rune rollback APP",
    '--to REV goes back to one.',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { format: { type: 'string' } }, usage);
    const [application, extra] = positionals;
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
    const format = values.format ?? 'tabular';
    if (!FORMATS.includes(format)) {
      throw new UsageError(`unknown format "${format}"; use ${FORMATS.join(' or ')}`, usage);
    }
    const client = await controllerClient(io);
    const { revisions } = await client.history(application);
    if (format === 'json') {
      io.out(JSON.stringify(revisions.map(({ summary: _summary, ...r }) => r)));
      return 0;
    }
    if (revisions.length === 0) {
      io.out(application ? `No model revisions touched ${application}.` : 'No model revisions.');
      return 0;
    }
    const rows = revisions.map((r) => [
      String(r.revision),
      // To the second: the milliseconds only make the column wider.
      r.at.replace(/\.\d+Z$/, 'Z'),
      r.command,
      r.summary,
    ]);
    for (const line of table([['Rev', 'Time', 'Command', 'Change'], ...rows], { alignRight: [0] }))
      io.out(line);
    return 0;
  },
};
