// Typed errors of core/charm (STYLE.md practice 4): each carries its facts and builds its message;
// only the CLI turns them into text and exit codes.
import { RuneError } from '../model/errors.js';
import { type Diagnostic, formatDiagnostic } from '../yaml/diagnostic.js';

/** A charm folder whose metadata.yaml, config.yaml or actions.yaml breaks a rule. */
export class CharmLoadError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly dir: string,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
  }
}

/** A charm named by a reference Rune cannot parse (`cs:~containers/Etcd Server`). */
export class InvalidCharmRefError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly ref: string,
    readonly reason: string,
  ) {
    super(`invalid charm "${ref}": ${reason}`);
  }
}

/** A charm name that is not a folder of charms/. */
export class UnknownCharmError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly charm: string,
    readonly known: readonly string[],
  ) {
    super(`unknown charm "${charm}"; Rune ships ${known.join(', ')}`);
  }
}

/** A charm path (`./charms/etcd`) that names nothing, or names a file. */
export class CharmPathError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly ref: string,
    readonly path: string,
    readonly problem: 'missing' | 'not-a-folder',
  ) {
    super(
      problem === 'missing'
        ? `charm path "${ref}" does not exist`
        : `charm path "${ref}" is not a folder`,
    );
  }
}

/** Rune's own files are not where they should be: a broken install, not a user mistake. */
export class PackageRootError extends RuneError {
  readonly kind = 'internal';

  constructor(readonly from: string) {
    super(`cannot find Rune's package.json (name "rune") above ${from}`);
  }
}

/** `rune charm init NAME` with a NAME Juju would not accept for a charm. */
export class InvalidCharmNameError extends RuneError {
  readonly kind = 'user';

  constructor(
    readonly charm: string,
    readonly problem: string,
  ) {
    super(
      `invalid charm name "${charm}": ${problem} (a charm name is lowercase letters and digits ` +
        'in words joined by single hyphens, starting with a letter, e.g. my-charm)',
    );
  }
}
