// Name rules for the model's entities, as Juju spells them (DESIGN §1). Pure: no I/O.

/** Application, charm and resource names, by Juju's rule: lowercase letters and digits in
 * hyphen-separated words, starting with a letter; no word after a hyphen may be digits only
 * (`etcd-2` would read as a unit). */
const APPLICATION_SOURCE = '[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*';
const APPLICATION = new RegExp(`^${APPLICATION_SOURCE}$`);
/** Machine ids: non-negative integers without leading zeros. */
const MACHINE_SOURCE = '(?:0|[1-9][0-9]*)';
const MACHINE = new RegExp(`^${MACHINE_SOURCE}$`);

/**
 * Longest application (and charm, and resource) name. Juju sets none and fails late on long
 * names (juju/juju#20002); Rune refuses them up front. 50 keeps everything derived from a name
 * within the limits it meets later: a unit `app/NNNNNN` or host label `app-NNNNNN` (57) fits a
 * certificate's common name (64, RFC 5280) and a DNS label (63).
 */
export const MAX_NAME_LENGTH = 50;

/** For JSON schemas (the API's requests): an application name, a unit name, a machine id. */
export const NAME_PATTERNS = {
  application: `^${APPLICATION_SOURCE}$`,
  unit: `^${APPLICATION_SOURCE}/${MACHINE_SOURCE}$`,
  machine: `^${MACHINE_SOURCE}$`,
} as const;
/** Endpoint (relation) and interface names, as in Juju metadata: words joined by `-` or `_`. */
const ENDPOINT = /^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$/;
/** Config option and action names are looser in real charms (`kubelet-extra-args`, `dns_domain`). */
const OPTION = /^[a-zA-Z][a-zA-Z0-9]*(?:[._-][a-zA-Z0-9]+)*$/;

export function isApplicationName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && APPLICATION.test(name);
}

export function isCharmName(name: string): boolean {
  return isApplicationName(name);
}

export function isMachineId(id: string): boolean {
  return MACHINE.test(id);
}

export function isEndpointName(name: string): boolean {
  return ENDPOINT.test(name);
}

export function isInterfaceName(name: string): boolean {
  return ENDPOINT.test(name);
}

export function isOptionName(name: string): boolean {
  return OPTION.test(name);
}

export interface UnitName {
  application: string;
  number: number;
}

/** Parses `app/N`; undefined when either half breaks the rules. */
export function parseUnitName(name: string): UnitName | undefined {
  const slash = name.indexOf('/');
  if (slash < 0) return undefined;
  const application = name.slice(0, slash);
  const number = name.slice(slash + 1);
  if (!isApplicationName(application) || !MACHINE.test(number)) return undefined;
  return { application, number: Number(number) };
}

export function isUnitName(name: string): boolean {
  return parseUnitName(name) !== undefined;
}

export function unitName(application: string, number: number): string {
  return `${application}/${number}`;
}

/** A name as an error quotes it: a long one cut short, so the reason still fits on the line. */
export function quotedName(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 57)}...` : name);
}

/** Why a name is not a valid application name, in words a user can act on. */
export function applicationNameProblem(name: string): string | undefined {
  if (name.length > MAX_NAME_LENGTH) {
    return `must be at most ${MAX_NAME_LENGTH} characters long, not ${name.length}`;
  }
  if (APPLICATION.test(name)) return undefined;
  if (name === '') return 'must not be empty';
  if (!/^[a-z]/.test(name)) return 'must start with a lowercase letter';
  if (/[^a-z0-9-]/.test(name)) return 'may hold only lowercase letters, digits and hyphens';
  if (/--/.test(name) || name.endsWith('-')) return 'must not have a doubled or trailing hyphen';
  return 'must not have a hyphen followed only by digits';
}
