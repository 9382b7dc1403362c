// The base of Rune's typed errors (STYLE.md practice 4). Each room's errors.ts extends it with
// classes that carry facts and build their own message; only the CLI turns them into exit codes.

export type ErrorKind = 'user' | 'internal';

export abstract class RuneError extends Error {
  abstract readonly kind: ErrorKind;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
