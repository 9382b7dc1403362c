// A service as charms and agents declare it: the spec, its validation (every issue at once) and
// its normalized form, so the same spec always renders the same bytes in either backend.
import { ServiceSpecError } from './service-errors.js';

export type RestartPolicy = 'on-failure' | 'always' | 'no';

export interface ServiceSpec {
  /** `[a-z0-9][a-z0-9-]*`: becomes the unit name `rune-<name>.service` or the definition file. */
  name: string;
  /** argv, run without a shell. */
  command: string[];
  env?: Record<string, string>;
  user?: string;
  /** Absolute; `/` when unset, as systemd does. */
  workingDir?: string;
  /** Default `on-failure`: charms want their workloads back after a crash. */
  restart?: RestartPolicy;
}

export interface ServiceState {
  name: string;
  state: 'running' | 'stopped' | 'failed' | 'missing';
  /** The workload's pid, when it runs (not while a restart waits out its backoff). */
  pid?: number;
  restarts?: number;
  /** The exit status of the workload's last exit, when known. */
  exitCode?: number;
}

/** A validated spec with defaults applied and env sorted, so rendering is deterministic. */
export interface NormalizedSpec {
  name: string;
  command: string[];
  env: [string, string][];
  user?: string;
  workingDir?: string;
  restart: RestartPolicy;
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const USER = /^[a-z_][a-z0-9_.-]*\$?$/;
const RESTART_POLICIES: readonly string[] = ['on-failure', 'always', 'no'];

/** Issues with a service name, as `field: problem` lines; empty when valid. */
export function serviceNameIssues(name: unknown): string[] {
  if (typeof name !== 'string') return ['name: must be a string'];
  if (!NAME.test(name)) {
    return [`name: must match [a-z0-9][a-z0-9-]* (lowercase letters, digits, -), got "${name}"`];
  }
  return name.length > 64 ? ['name: must be at most 64 characters'] : [];
}

/** Every issue with a spec, as `field: problem` lines; empty when valid. */
export function validateServiceSpec(spec: ServiceSpec): string[] {
  const issues = serviceNameIssues(spec.name);
  const noNul = (field: string, value: string) => {
    if (value.includes('\0')) issues.push(`${field}: must not contain a NUL byte`);
  };
  if (!Array.isArray(spec.command) || spec.command.length === 0) {
    issues.push('command: must be a non-empty list of strings (argv)');
  } else {
    spec.command.forEach((word, i) => {
      if (typeof word !== 'string') issues.push(`command[${i}]: must be a string`);
      else noNul(`command[${i}]`, word);
    });
    const program = spec.command[0];
    if (program === '') issues.push('command[0]: must not be empty');
    // env(1) starts the supervisor's child and would read `a=b` as an assignment.
    if (typeof program === 'string' && program.includes('='))
      issues.push('command[0]: must not contain "="');
  }
  for (const [key, value] of Object.entries(spec.env ?? {})) {
    if (!ENV_KEY.test(key)) issues.push(`env.${key}: names must match [A-Za-z_][A-Za-z0-9_]*`);
    if (typeof value !== 'string') issues.push(`env.${key}: must be a string`);
    else noNul(`env.${key}`, value);
  }
  if (spec.user !== undefined && (!USER.test(spec.user) || spec.user.length > 32)) {
    issues.push(`user: must be a login name like "etcd" (got "${spec.user}")`);
  }
  if (spec.workingDir !== undefined) {
    // systemd takes the rest of the line as the path: no control characters, no edge spaces.
    if (
      !spec.workingDir.startsWith('/') ||
      spec.workingDir !== spec.workingDir.trim() ||
      [...spec.workingDir].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f')
    ) {
      issues.push('workingDir: must be an absolute path without control characters');
    }
  }
  if (spec.restart !== undefined && !RESTART_POLICIES.includes(spec.restart)) {
    issues.push(`restart: must be one of on-failure, always, no (got "${String(spec.restart)}")`);
  }
  return issues;
}

/** Validates (throwing ServiceSpecError with every issue) and applies defaults. */
export function normalizeSpec(spec: ServiceSpec): NormalizedSpec {
  const issues = validateServiceSpec(spec);
  if (issues.length > 0) throw new ServiceSpecError(String(spec.name), issues);
  const env = Object.entries(spec.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    name: spec.name,
    command: [...spec.command],
    env,
    ...(spec.user !== undefined ? { user: spec.user } : {}),
    ...(spec.workingDir !== undefined ? { workingDir: spec.workingDir } : {}),
    restart: spec.restart ?? 'on-failure',
  };
}

export function checkName(name: string): void {
  const issues = serviceNameIssues(name);
  if (issues.length > 0) throw new ServiceSpecError(String(name), issues);
}

export function checkLines(name: string, lines: number): void {
  if (!Number.isInteger(lines) || lines < 1 || lines > 100_000) {
    throw new ServiceSpecError(name, [`lines: must be an integer from 1 to 100000, got ${lines}`]);
  }
}
