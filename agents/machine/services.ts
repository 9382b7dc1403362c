// Services on a machine (DESIGN §5): one API over two backends, systemd units where systemd runs
// and Rune's own sh supervisor elsewhere. Specs are validated here (every issue at once) and
// normalized so the same spec always renders the same bytes; the backends' pure parts live in
// systemd-unit.ts and supervisor-script.ts.
import { ServiceError, ServiceSpecError, stderrTail } from './service-errors.js';
import type { ServiceAction } from './service-errors.js';
import {
  SUPERVISOR_PATH,
  SUPERVISOR_SCRIPT,
  DEFINITION_DIR,
  definitionPath,
  encodeDefinition,
  logPath,
  parseSupervisorStatus,
  runtimeFiles,
} from './supervisor-script.js';
import {
  SHOW_PROPERTIES,
  parseSystemdShow,
  renderUnit,
  unitName,
  unitPath,
} from './systemd-unit.js';
import { fileWritesScript, readFileWrites, tempNameBeside } from './file-writes.js';
import type { CommandResult, FileWrite, MachineFacts, RemoteMachine } from './types.js';

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

export interface Services {
  readonly backend: 'systemd' | 'supervisor';
  /** Idempotent: rewrites the definition only if it changed; resolves to whether it did. */
  install(spec: ServiceSpec): Promise<boolean>;
  /**
   * install, then the service running: restarted when its definition changed or `restart` is
   * set, else started (a no-op when it runs). One round trip where the backend allows it: a
   * charm does this on the path of every start. Resolves to whether the definition changed.
   */
  ensure(spec: ServiceSpec, options?: { restart?: boolean }): Promise<boolean>;
  /** Sets the backend up ahead of the first install (a no-op once it is, and for systemd). */
  prepare(): Promise<void>;
  /** A no-op when the service already runs. */
  start(name: string): Promise<void>;
  /** Resolves once the workload and its supervision are gone. */
  stop(name: string): Promise<void>;
  restart(name: string): Promise<void>;
  status(name: string): Promise<ServiceState>;
  /** Stops, then deletes the definition and runtime files; idempotent. Logs are kept. */
  remove(name: string): Promise<void>;
  /** The last `lines` lines of the service's output. */
  logs(name: string, lines: number): Promise<string>;
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

export interface ServicesOptions {
  /** How errors name the machine (its id); the machine's hostname when unset. */
  machineName?: string;
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

function checkName(name: string): void {
  const issues = serviceNameIssues(name);
  if (issues.length > 0) throw new ServiceSpecError(String(name), issues);
}

function checkLines(name: string, lines: number): void {
  if (!Number.isInteger(lines) || lines < 1 || lines > 100_000) {
    throw new ServiceSpecError(name, [`lines: must be an integer from 1 to 100000, got ${lines}`]);
  }
}

/** The Services of one machine: systemd units when `facts.systemd`, else Rune's supervisor. */
export function services(
  machine: RemoteMachine,
  facts: MachineFacts,
  options: ServicesOptions = {},
): Services {
  const label = options.machineName ?? facts.hostname;
  return facts.systemd
    ? new SystemdServices(machine, label)
    : new SupervisorServices(machine, label);
}

/** Shared by both backends: run a command, turn a non-zero exit into a ServiceError. */
abstract class Backend {
  constructor(
    protected readonly machine: RemoteMachine,
    protected readonly label: string,
  ) {}

  protected async must(
    service: string,
    action: ServiceAction,
    command: string,
    timeoutMs = 30_000,
  ): Promise<CommandResult> {
    const result = await this.machine.run(command, { timeoutMs });
    if (result.code !== 0) {
      throw new ServiceError(this.label, service, action, result.code, stderrTail(result.stderr));
    }
    return result;
  }

  /** Writes `path` only if its content differs; resolves to whether it did. */
  protected async writeIfChanged(path: string, content: string, mode: number): Promise<boolean> {
    const [changed] = await this.machine.writeFiles([
      { path, data: content, mode, onlyIfChanged: true },
    ]);
    return changed === true;
  }
}

class SystemdServices extends Backend implements Services {
  readonly backend = 'systemd';

  async install(spec: ServiceSpec): Promise<boolean> {
    const normalized = normalizeSpec(spec);
    // 0644 as systemd expects: it warns that unit files hidden from users hide nothing, since
    // `systemctl show` prints Environment= to anyone.
    const changed = await this.writeIfChanged(unitPath(spec.name), renderUnit(normalized), 0o644);
    if (changed) await this.must(spec.name, 'install', 'systemctl daemon-reload');
    return changed;
  }

  prepare(): Promise<void> {
    return Promise.resolve();
  }

  async ensure(spec: ServiceSpec, options: { restart?: boolean } = {}): Promise<boolean> {
    const changed = await this.install(spec);
    if (changed || options.restart === true) await this.restart(spec.name);
    else await this.start(spec.name);
    return changed;
  }

  async start(name: string): Promise<void> {
    checkName(name);
    await this.must(name, 'start', `systemctl start ${unitName(name)}`);
  }

  async stop(name: string): Promise<void> {
    checkName(name);
    await this.must(name, 'stop', `systemctl stop ${unitName(name)}`);
  }

  async restart(name: string): Promise<void> {
    checkName(name);
    await this.must(name, 'restart', `systemctl restart ${unitName(name)}`);
  }

  async status(name: string): Promise<ServiceState> {
    checkName(name);
    // `show` rather than `is-active`: one call gives state, main pid and restart count.
    const props = SHOW_PROPERTIES.join(',');
    const result = await this.must(
      name,
      'status',
      `systemctl show --property=${props} ${unitName(name)}`,
    );
    return parseSystemdShow(name, result.stdout.toString('utf8'));
  }

  async remove(name: string): Promise<void> {
    checkName(name);
    const unit = unitName(name);
    const path = unitPath(name);
    await this.must(
      name,
      'remove',
      [
        `systemctl stop ${unit} 2>/dev/null`,
        `if [ -e ${path} ]; then rm -f ${path} && systemctl daemon-reload || exit 1; fi`,
        // A failed unit lingers in systemd's memory after its file is gone.
        `systemctl reset-failed ${unit} 2>/dev/null`,
        'exit 0',
      ].join('\n'),
    );
  }

  async logs(name: string, lines: number): Promise<string> {
    checkName(name);
    checkLines(name, lines);
    const result = await this.must(
      name,
      'logs',
      `journalctl -u ${unitName(name)} -n ${lines} --no-pager -o cat`,
    );
    return result.stdout.toString('utf8');
  }
}

/**
 * Machines (connections) whose supervisor script is known to be in place. Per connection, not
 * per Services: a hook gets a new Services each time, and checking the 13 KB script anew cost
 * every hook that touched a service a round trip carrying it back.
 */
const supervisorReady = new WeakMap<RemoteMachine, Promise<void>>();

/** Where the supervisor keeps definitions, itself, pid files and logs. */
const SUPERVISOR_DIRS = `${DEFINITION_DIR} /usr/local/lib/rune /run/rune /var/log/rune`;

class SupervisorServices extends Backend implements Services {
  readonly backend = 'supervisor';

  /** The script's directories, and the script itself unless it is known to be in place. */
  private setUp(): { prelude: string; files: FileWrite[] } {
    if (supervisorReady.has(this.machine)) return { prelude: '', files: [] };
    return {
      prelude: `mkdir -p ${SUPERVISOR_DIRS} || exit 1`,
      files: [{ path: SUPERVISOR_PATH, data: SUPERVISOR_SCRIPT, mode: 0o755, onlyIfChanged: true }],
    };
  }

  /** Installs the supervisor script once per connection, rewriting it only if it changed. */
  private ensureSupervisor(): Promise<void> {
    let ready = supervisorReady.get(this.machine);
    if (ready === undefined) {
      const { prelude, files } = this.setUp();
      ready = this.applyFiles('*', 'install', prelude, files, '').then(() => undefined);
      supervisorReady.set(this.machine, ready);
      // A failed attempt is not kept: the next call tries again.
      ready.catch(() => supervisorReady.delete(this.machine));
    }
    return ready;
  }

  /**
   * Writes `files` (only what changed), then runs `after` (`$changed` is 1 when any file changed):
   * one round trip. A failed write or a failed `after` is a ServiceError for `action`.
   */
  private async applyFiles(
    service: string,
    action: ServiceAction,
    prelude: string,
    files: readonly FileWrite[],
    after: string,
  ): Promise<boolean[]> {
    const { script, stdin } = fileWritesScript(files, tempNameBeside, after);
    const command = prelude === '' ? script : `${prelude}\n${script}`;
    const result = await this.machine.run(command, { stdin, timeoutMs: 60_000 });
    const changed = readFileWrites(result.stdout.toString('utf8'), files.length);
    if (result.code !== 0 || changed.includes(undefined)) {
      throw new ServiceError(this.label, service, action, result.code, stderrTail(result.stderr));
    }
    return changed.map((c) => c === true);
  }

  /** The supervisor script run with each of `verbs` in turn (`&&`), in one round trip. */
  private async supervise(
    name: string,
    action: ServiceAction,
    verbs: string | readonly string[],
    timeoutMs?: number,
  ) {
    const command = (typeof verbs === 'string' ? [verbs] : verbs)
      .map((verb) => `/bin/sh ${SUPERVISOR_PATH} ${verb} ${name}`)
      .join(' && ');
    try {
      return await this.must(name, action, command, timeoutMs);
    } catch (error) {
      // The script (or its directories) may have gone from the machine since it was checked.
      supervisorReady.delete(this.machine);
      throw error;
    }
  }

  async install(spec: ServiceSpec): Promise<boolean> {
    const normalized = normalizeSpec(spec);
    await this.ensureSupervisor();
    // 0600: env values may be secrets.
    return this.writeIfChanged(definitionPath(spec.name), encodeDefinition(normalized), 0o600);
  }

  prepare(): Promise<void> {
    return this.ensureSupervisor();
  }

  async ensure(spec: ServiceSpec, options: { restart?: boolean } = {}): Promise<boolean> {
    const { prelude, files } = this.setUp();
    // 0600: env values may be secrets.
    const definition = encodeDefinition(normalizeSpec(spec));
    const at = files.length;
    files.push({
      path: definitionPath(spec.name),
      data: definition,
      mode: 0o600,
      onlyIfChanged: true,
    });
    const verb = (v: string) => `/bin/sh ${SUPERVISOR_PATH} ${v} ${spec.name}`;
    const restart = `${verb('stop')} && ${verb('start')}`;
    // Only the definition's own change restarts: a supervisor script rewritten under a running
    // service changes nothing for it.
    const after =
      options.restart === true
        ? restart
        : `if [ "$changed_${at}" = 1 ]; then ${restart}; else ${verb('start')}; fi`;
    try {
      const changed = await this.applyFiles(spec.name, 'start', prelude, files, after);
      if (at > 0) supervisorReady.set(this.machine, Promise.resolve());
      return changed[at] === true;
    } catch (error) {
      // The script (or its directories) may have gone from the machine since it was checked.
      supervisorReady.delete(this.machine);
      throw error;
    }
  }

  async start(name: string): Promise<void> {
    checkName(name);
    await this.ensureSupervisor();
    await this.supervise(name, 'start', 'start');
  }

  async stop(name: string): Promise<void> {
    checkName(name);
    await this.ensureSupervisor();
    // The script's own deadlines add up to ~30 s in the worst case (stuck supervisor and child).
    await this.supervise(name, 'stop', 'stop', 60_000);
  }

  async restart(name: string): Promise<void> {
    checkName(name);
    await this.ensureSupervisor();
    // One round trip: a restart is on the path of every etcd join.
    await this.supervise(name, 'restart', ['stop', 'start'], 60_000);
  }

  async status(name: string): Promise<ServiceState> {
    checkName(name);
    await this.ensureSupervisor();
    const result = await this.supervise(name, 'status', 'status');
    return parseSupervisorStatus(name, result.stdout.toString('utf8'));
  }

  async remove(name: string): Promise<void> {
    checkName(name);
    await this.ensureSupervisor();
    await this.supervise(name, 'remove', 'stop', 60_000);
    const files = [definitionPath(name), ...runtimeFiles(name)].join(' ');
    await this.must(name, 'remove', `rm -f ${files}`);
  }

  async logs(name: string, lines: number): Promise<string> {
    checkName(name);
    checkLines(name, lines);
    const path = logPath(name);
    const result = await this.must(
      name,
      'logs',
      `if [ -e ${path} ]; then tail -n ${lines} ${path}; fi`,
    );
    return result.stdout.toString('utf8');
  }
}
