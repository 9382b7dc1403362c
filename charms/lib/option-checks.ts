// Checks on one config option each (type, range, choice, format), shared by the five charms: every
// problem is one line naming the option, what it must be and what it got, and a charm that finds
// any blocks before it touches anything (issue 15 item 11). Pure.
import { parseExtraArgs } from './flags.js';
import { parseIpv4Cidr } from './cidr.js';
import { parseInstallSource } from './install-source.js';
import { dnsNameProblem, parseIPv4, parseIPv6, parseSan } from './san.js';

/** An option's value as a message shows it: strings quoted (and escaped), the rest as is. */
export function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

/** `option must be <what>, got <value>`: the one shape of every problem. */
export function mustBe(option: string, what: string, value: unknown): string {
  return `${option} must be ${what}, got ${show(value)}`;
}

/** One line for a blocked status, or undefined when there is nothing to say. */
export function configBlockedMessage(problems: readonly string[]): string | undefined {
  if (problems.length === 0) return undefined;
  return `Invalid config: ${problems.join('; ')}`;
}

export function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

export function integerProblem(
  option: string,
  value: unknown,
  min: number,
  max: number,
): string | undefined {
  return isInteger(value, min, max)
    ? undefined
    : mustBe(option, `an integer from ${min} to ${max}`, value);
}

export function booleanProblem(option: string, value: unknown): string | undefined {
  return typeof value === 'boolean' ? undefined : mustBe(option, 'true or false', value);
}

export function stringProblem(option: string, value: unknown): string | undefined {
  return typeof value === 'string' ? undefined : mustBe(option, 'a string', value);
}

/** The words of a space- (or comma-) separated option. */
export function words(value: string, separators = /[\s,]+/): string[] {
  return value.split(separators).filter((w) => w !== '');
}

/** `value` is one of `choices` (compared after trimming and, when asked, in lower case). */
export function choiceProblem(
  option: string,
  value: unknown,
  choices: readonly string[],
  ignoreCase = false,
): string | undefined {
  if (typeof value === 'string') {
    const v = ignoreCase ? value.trim().toLowerCase() : value.trim();
    if (choices.includes(v)) return undefined;
  }
  return mustBe(option, `one of ${choices.join(', ')}`, value);
}

/** An IPv4 CIDR whose prefix lies in [minPrefix, maxPrefix]. */
export function ipv4CidrProblem(
  option: string,
  value: unknown,
  limits: { minPrefix: number; maxPrefix: number; example: string; why?: string },
): string | undefined {
  const cidr = typeof value === 'string' ? parseIpv4Cidr(value) : undefined;
  if (cidr === undefined) return mustBe(option, `an IPv4 CIDR like ${limits.example}`, value);
  if (cidr.prefix < limits.minPrefix || cidr.prefix > limits.maxPrefix) {
    const why = limits.why === undefined ? '' : ` (${limits.why})`;
    return mustBe(option, `a CIDR from /${limits.minPrefix} to /${limits.maxPrefix}${why}`, value);
  }
  return undefined;
}

/** A DNS name as Kubernetes takes one (RFC 1123, lower case, no trailing dot). */
export function dnsNameOptionProblem(option: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return mustBe(option, 'a DNS name', value);
  if (value !== value.toLowerCase()) return mustBe(option, 'a lower-case DNS name', value);
  const problem = dnsNameProblem(value);
  return problem === undefined ? undefined : mustBe(option, `a DNS name (${problem})`, value);
}

/** Every word a valid subject alternative name: what the certificate authority would sign. */
export function sanListProblem(option: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return stringProblem(option, value);
  const bad = words(value).flatMap((w) => parseSan(w).problem ?? []);
  if (bad.length === 0) return undefined;
  return `${option} must hold DNS names and IP addresses: ${bad.join(', ')}`;
}

export function isIpAddress(text: string): boolean {
  return text.includes(':') ? parseIPv6(text) !== undefined : parseIPv4(text) !== undefined;
}

/** Every word an IPv4 or IPv6 address. */
export function ipListProblem(option: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return stringProblem(option, value);
  const bad = words(value).filter((w) => !isIpAddress(w));
  if (bad.length === 0) return undefined;
  return `${option} must hold IP addresses only, got ${bad.map(show).join(', ')}`;
}

/** Empty, or an http(s) URL with a host: what the machine's curl is given. */
export function urlProblem(option: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return stringProblem(option, value);
  const text = value.trim();
  if (text === '') return undefined;
  const what = 'empty or an http:// or https:// URL';
  if (/\s/.test(text)) return mustBe(option, what, value);
  try {
    const url = new URL(text);
    if ((url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '') {
      return undefined;
    }
  } catch {
    // Not a URL at all: the same message as a URL of the wrong kind.
  }
  return mustBe(option, what, value);
}

const RISKS = ['stable', 'candidate', 'beta', 'edge'];
const CHANNEL_PART = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * A snap channel as snapd parses one: `risk`, `track`, `track/risk`, `risk/branch` or
 * `track/risk/branch`. Empty, and each of `also` (etcd's `auto`), pass too.
 */
export function snapChannelProblem(
  option: string,
  value: unknown,
  also: readonly string[] = [],
): string | undefined {
  if (typeof value !== 'string') return stringProblem(option, value);
  const text = value.trim();
  if (text === '' || also.includes(text)) return undefined;
  const parts = text.split('/');
  const riskAt = (i: number) => RISKS.includes(parts[i] ?? '');
  const shaped =
    parts.every((p) => CHANNEL_PART.test(p)) &&
    (parts.length === 1 ||
      (parts.length === 2 && (riskAt(0) || riskAt(1))) ||
      (parts.length === 3 && riskAt(1)));
  if (shaped) return undefined;
  const prefix = also.length > 0 ? `${also.join(', ')} or ` : '';
  return mustBe(option, `${prefix}a snap channel like 1.21/stable`, value);
}

/** Config `install-source`: the choices every charm that installs binaries shares. */
export function installSourceProblem(value: unknown): string | undefined {
  const parsed = parseInstallSource(typeof value === 'string' ? value.trim() : value);
  return 'problem' in parsed ? parsed.problem : undefined;
}

/** A `*-extra-args` option: space-separated key=value pairs or flag names. */
export function extraArgsProblem(option: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return stringProblem(option, value);
  const { problems } = parseExtraArgs(value);
  if (problems.length === 0) return undefined;
  return `${option} must be key=value pairs or flag names, got ${problems.join(', ')}`;
}

/** Juju's application names: lower case, digits and inner hyphens, no digit after a hyphen. */
const APP_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]*[a-z][a-z0-9]*)*$/;

/** Empty, or an application name. */
export function appNameProblem(option: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return stringProblem(option, value);
  const text = value.trim();
  return text === '' || APP_NAME.test(text)
    ? undefined
    : mustBe(option, 'empty or an application name like flannel', value);
}

/** The problems among `checks`, in order (each check undefined when its option is fine). */
export function collect(...checks: (string | undefined)[]): string[] {
  return checks.filter((c): c is string => c !== undefined);
}

/** The options ensureReleaseBinaries reads, shared by kubernetes-master and kubernetes-worker. */
export function releaseOptionProblems(config: Readonly<Record<string, unknown>>): string[] {
  return collect(
    snapChannelProblem('channel', config['channel']),
    installSourceProblem(config['install-source']),
    urlProblem('release-url', config['release-url']),
    booleanProblem('require-manual-upgrade', config['require-manual-upgrade']),
  );
}
