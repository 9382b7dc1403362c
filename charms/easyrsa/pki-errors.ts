// Typed errors of the easyrsa certificate authority (STYLE.md practice 4). Messages name the
// offending common name or SAN, and never carry key material or a library's raw message.
import { RuneError } from 'rune/charm';

/** A related unit asked for a certificate that cannot be issued as asked. */
export class CertificateRequestError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly commonName: string,
    readonly problem: string,
  ) {
    super(
      commonName.trim() === ''
        ? `certificate request: ${problem}`
        : `certificate request for ${JSON.stringify(commonName)}: ${problem}`,
    );
  }
}

export type PemPart = 'CA certificate' | 'CA private key' | 'certificate';

/** Stored PEM (leader data, a restored backup, a unit's own file) that cannot be parsed. */
export class PemUnreadableError extends RuneError {
  readonly kind = 'internal';

  constructor(readonly part: PemPart) {
    // The parser's own message is left out on purpose: for a key it may quote key bytes.
    super(`the ${part} could not be read (PEM, RSA expected)`);
  }
}

/** The CA certificate and private key belong to different key pairs: nothing would verify. */
export class CaKeyMismatchError extends RuneError {
  readonly kind = 'internal';

  constructor() {
    super('the CA certificate and the CA private key do not belong together');
  }
}
