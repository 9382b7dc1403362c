// The CLI's entry and its one error boundary: dispatch to core/cli/commands/<verb>.ts, and turn
// typed errors into text and exit codes (0 ok, 1 failed or invalid, 2 usage, 3 no controller).
import { ControllerRequestError, ControllerUnreachableError } from '../controller/errors.js';
import { RuneError } from '../model/errors.js';
import { suggest } from './args.js';
import { findVerb, overview, VERBS } from './command.js';
import { NoControllerError, UsageError } from './errors.js';
import type { Io } from './io.js';

export async function main(argv: string[], io: Io): Promise<number> {
  const [verbName, ...rest] = argv;
  try {
    if (verbName === undefined || verbName === '--help' || verbName === '-h') {
      io.out(overview());
      return 0;
    }
    const verb = findVerb(verbName === '--version' ? 'version' : verbName);
    if (!verb) {
      const near = suggest(
        verbName,
        VERBS.map((v) => v.name),
      );
      const hint = near ? `; did you mean "${near}"?` : '';
      throw new UsageError(
        `unknown command "${verbName}"${hint}`,
        'rune --help lists the commands',
      );
    }
    const command = await verb.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(`usage: ${command.usage}\n\n${command.help}`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (e) {
    return report(e, io);
  }
}

function report(e: unknown, io: Io): number {
  if (e instanceof RuneError && e.kind === 'user') {
    io.err(
      e instanceof UsageError
        ? `rune: ${e.message}`
        : e.message.includes('\n')
          ? e.message
          : `rune: ${e.message}`,
    );
    if (e instanceof UsageError) return 2;
    if (e instanceof NoControllerError || e instanceof ControllerUnreachableError) return 3;
    return 1;
  }
  if (e instanceof ControllerRequestError) {
    // The controller logged the details; a stack trace of this side would show only the client.
    io.err(`rune: the controller failed: ${e.message}`);
    return 1;
  }
  const detail =
    e instanceof Error ? (process.env.RUNE_DEBUG ? (e.stack ?? e.message) : e.message) : String(e);
  io.err(`rune: internal error: ${detail}`);
  if (!process.env.RUNE_DEBUG) io.err('rune: set RUNE_DEBUG=1 for a stack trace');
  return 1;
}
