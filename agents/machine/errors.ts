// Typed errors of agents/machine (STYLE.md practice 4): each carries the facts of one failure to
// reach or drive a machine and builds an actionable message. Key material never enters them.
import { RuneError } from '../../core/model/errors.js';

/** The machine's sshd could not be reached: refused, reset, unreachable or silent. */
export class ConnectError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly host: string,
    readonly port: number,
    /** Short reason, e.g. `connection refused`, `no answer within 5 s`. */
    readonly reason: string,
  ) {
    super(`cannot reach ${host}:${port}: ${reason}`);
  }
}

/** sshd answered but refused the controller's key. Terminal: retrying cannot help. */
export class AuthError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly user: string,
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `cannot log in as ${user}@${host}:${port}: the key was refused; ` +
        `add its public key to ~${user}/.ssh/authorized_keys on that machine`,
    );
  }
}

/** The machine presented a host key other than the one pinned on first contact (DESIGN §12). */
export class HostKeyChangedError extends RuneError {
  readonly kind = 'user';

  constructor(
    /** How the user names the machine: its id (`3`) or, before it has one, `host:port`. */
    readonly machine: string,
    readonly host: string,
    readonly port: number,
    readonly expected: string,
    readonly presented: string,
  ) {
    super(
      `the host key of machine ${machine} (${host}:${port}) has changed: expected ${expected}, ` +
        `presented ${presented}; this may be an attack. If the machine was rebuilt on purpose, ` +
        `run rune remove-machine ${machine} then rune add-machine again`,
    );
  }
}

/** A command ran past its `timeoutMs`; it and its children were killed. */
export class CommandTimeoutError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly host: string,
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super(`command on ${host} timed out after ${timeoutMs} ms and was killed: ${brief(command)}`);
  }
}

/** A non-root login user whose `sudo -n` asks for a password, so Rune cannot become root. */
export class SudoPasswordError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly user: string,
    readonly host: string,
  ) {
    super(
      `${user}@${host} needs a password for sudo; Rune needs passwordless sudo for non-root ` +
        `users: add "${user} ALL=(ALL) NOPASSWD:ALL" to /etc/sudoers.d/rune, or log in as root`,
    );
  }
}

/** The shell session or exec channel died under a command; the next command reconnects. */
export class SessionLostError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly host: string,
    readonly command: string | undefined,
    readonly reason: string,
  ) {
    super(
      command === undefined
        ? `the shell session on ${host} was lost: ${reason}`
        : `the shell session on ${host} was lost while running ${brief(command)}: ${reason}`,
    );
  }
}

/** A file could not be read or written on the machine. */
export class RemoteFileError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly host: string,
    readonly path: string,
    readonly operation: 'read' | 'write',
    readonly detail: string,
  ) {
    super(`cannot ${operation} ${path} on ${host}: ${detail}`);
  }
}

/** The machine closed the connection we were using and it is not (yet) back. */
export class NotConnectedError extends RuneError {
  readonly kind = 'internal';

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`the connection to ${host}:${port} is closed`);
  }
}

/** Commands can be long scripts; messages quote only their first line, shortened. */
function brief(command: string): string {
  const first = command.split('\n', 1)[0] ?? '';
  const text = first.length > 80 ? `${first.slice(0, 77)}...` : first;
  return command.includes('\n') && text === first ? `\`${text} ...\`` : `\`${text}\``;
}
