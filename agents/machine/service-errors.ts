// Typed errors of the Services API (agents/machine/services.ts): a service action that failed on
// a machine, and a spec that cannot be installed. They carry facts, never env values or secrets.
import { RuneError } from '../../core/model/errors.js';

export type ServiceAction = 'install' | 'start' | 'stop' | 'restart' | 'status' | 'remove' | 'logs';

/** A service action's command failed on the machine. */
export class ServiceError extends RuneError {
  readonly kind = 'user';

  constructor(
    /** How the machine is named to the user: its id or hostname. */
    readonly machine: string,
    readonly service: string,
    readonly action: ServiceAction,
    readonly code: number,
    /**
     * The last lines of the command's stderr. The commands whose stderr lands here (systemctl,
     * journalctl, Rune's supervisor) never print a service's env, so no secret reaches it.
     */
    readonly stderrTail: string,
  ) {
    super(
      `cannot ${action} service ${service} on machine ${machine}: exit code ${code}` +
        (stderrTail === '' ? '' : `: ${stderrTail}`),
    );
  }
}

/** A service spec (or a bare service name) that Rune refuses; lists every issue at once. */
export class ServiceSpecError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly service: string,
    /** `field: problem`, e.g. `command[2]: must not contain a NUL byte`. */
    readonly issues: readonly string[],
  ) {
    super(`invalid service ${JSON.stringify(service)}: ${issues.join('; ')}`);
  }
}

/** The last `lines` lines of a command's stderr, bounded, for an error message. */
export function stderrTail(stderr: Buffer, lines = 3): string {
  const text = stderr.toString('utf8').trim().split('\n').slice(-lines).join('; ');
  return text.length > 400 ? `...${text.slice(-397)}` : text;
}
