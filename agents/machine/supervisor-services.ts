// Rune's own sh supervisor as a Services backend, for machines without systemd: the script is
// set up once per connection, and a definition's write and the service's (re)start share one
// round trip.
import { Backend } from './service-backend.js';
import { ServiceError, stderrTail } from './service-errors.js';
import type { ServiceAction } from './service-errors.js';
import { checkLines, checkName, normalizeSpec } from './service-spec.js';
import type { ServiceSpec, ServiceState } from './service-spec.js';
import type { Services } from './services.js';
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
import { fileWritesScript, readFileWrites, tempNameBeside } from './file-writes.js';
import type { FileWrite, RemoteMachine } from '../../core/model/machine.js';

/**
 * Machines (connections) whose supervisor script is known to be in place. Per connection, not
 * per Services: a hook gets a new Services each time, and checking the 13 KB script anew cost
 * every hook that touched a service a round trip carrying it back.
 */
const supervisorReady = new WeakMap<RemoteMachine, Promise<void>>();

/** Where the supervisor keeps definitions, itself, pid files and logs. */
const SUPERVISOR_DIRS = `${DEFINITION_DIR} /usr/local/lib/rune /run/rune /var/log/rune`;

export class SupervisorServices extends Backend implements Services {
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
