// Refusals of the API over TCP (issue 16 item 5): a token or registration string the controller
// does not accept, and what the CLI finds at an address instead of its controller. Messages
// name what to do next and never carry the secret itself.
import { RuneError } from '../model/errors.js';

/** The controller refuses the request's credentials: answered with HTTP 401. */
export abstract class AccessDeniedError extends RuneError {
  readonly kind = 'user';
}

export class NoTokenError extends AccessDeniedError {
  constructor(readonly controller: string) {
    super(
      `controller "${controller}" takes requests over TCP only with a token; ` +
        "rune register (with a string from its admin's rune add-user) gives you one",
    );
  }
}

export class TokenNotAcceptedError extends AccessDeniedError {
  constructor(readonly controller: string) {
    super(`token not accepted by controller "${controller}"; rune register again or ask its admin`);
  }
}

export class TokenExpiredError extends AccessDeniedError {
  constructor(
    readonly controller: string,
    readonly expiredAt: string,
  ) {
    super(
      `your token for controller "${controller}" expired at ${expiredAt}; ask its admin for a ` +
        'new registration string (rune add-user NAME) and rune register it',
    );
  }
}

export class RegistrationNotAcceptedError extends AccessDeniedError {
  constructor(readonly controller: string) {
    super(
      `registration string not accepted by controller "${controller}": it was used already ` +
        '(each works once) or never issued there; ask its admin for a new one (rune add-user NAME)',
    );
  }
}

export class RegistrationExpiredError extends AccessDeniedError {
  constructor(
    readonly controller: string,
    readonly expiredAt: string,
  ) {
    super(
      `registration string for controller "${controller}" expired at ${expiredAt}; ask its ` +
        'admin for a new one (rune add-user NAME)',
    );
  }
}

/** Users are added on the controller's host: a token holder cannot mint more users. */
export class LocalOnlyError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly verb: string,
  ) {
    super(
      `rune ${verb} runs on controller "${controller}"'s own host (over its local socket), ` +
        'not over TCP',
    );
  }
}

export class UserNameError extends RuneError {
  readonly kind = 'user';

  constructor(readonly user: string) {
    super(
      `invalid user name "${user}": use lowercase letters, digits, hyphens and dots, ` +
        'starting with a letter (at most 40)',
    );
  }
}

/** A verb that hands the controller paths on this host, of a controller on another host. */
export class ControllerFilesError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly what: string,
  ) {
    super(
      `controller "${controller}" is remote (registered over TCP) and ${what} is read from ` +
        "the controller's own host: run it there (over its local socket); nothing was sent",
    );
  }
}

/** A registered controller whose token this client deleted (rune logout). */
export class LoggedOutError extends RuneError {
  readonly kind = 'user';

  constructor(readonly controller: string) {
    super(
      `you are logged out of controller "${controller}"; ask its admin for a registration ` +
        'string (rune add-user NAME) and rune register it',
    );
  }
}

/** register under a name a controller of this host already has. */
export class RegisterNameTakenError extends RuneError {
  readonly kind = 'user';

  constructor(readonly controller: string) {
    super(
      `a controller "${controller}" of this host already has that name; ` +
        'rune register STRING --name OTHER registers it under another',
    );
  }
}

/** logout of a controller this host runs itself: its socket takes no token. */
export class NotRemoteError extends RuneError {
  readonly kind = 'user';

  constructor(readonly controller: string) {
    super(
      `controller "${controller}" runs on this host and is reached over its local socket, ` +
        'without a token: there is nothing to log out of',
    );
  }
}

/** destroy-controller of a controller registered from another host: it is not this host's to
 * destroy, and its id must not send a sweep after the machines of a controller here. */
export class RemoteDestroyError extends RuneError {
  readonly kind = 'user';

  constructor(readonly controller: string) {
    super(
      `controller "${controller}" is remote (registered over TCP): destroy it on its own host; ` +
        `rune logout -c ${controller} ends your session with it`,
    );
  }
}

export class CaMismatchError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly address: string,
    readonly pinned: 'register' | 'string',
  ) {
    super(
      `controller "${controller}" at ${address}: its certificate is not signed by the CA ` +
        (pinned === 'register'
          ? 'pinned at register'
          : 'whose fingerprint the registration string holds') +
        ': someone may be in the middle, or the controller was rebuilt; nothing was sent',
    );
  }
}

export class NotRuneControllerError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly address: string,
    readonly reason: string,
  ) {
    super(
      `controller "${controller}": what is at ${address} is not a Rune controller (${reason}); ` +
        "nothing changed. Check the address (rune register's string lists it)",
    );
  }
}

/** A bad `host:port` in the registry or a registration string. */
export class ApiAddressError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly controller: string,
    readonly address: string,
  ) {
    super(`controller "${controller}": "${address}" is not a HOST:PORT address`);
  }
}
