// Services on a machine (DESIGN §5): one API over two backends, systemd units where systemd runs
// and Rune's own sh supervisor elsewhere (supervisor-services.ts). Specs are validated and
// normalized in service-spec.ts; the backends' pure parts live in systemd-unit.ts and
// supervisor-script.ts.
import { Backend } from './service-backend.js';
import { checkLines, checkName, normalizeSpec } from './service-spec.js';
import type { ServiceSpec, ServiceState } from './service-spec.js';
import { SupervisorServices } from './supervisor-services.js';
import {
  SHOW_PROPERTIES,
  parseSystemdShow,
  renderUnit,
  unitName,
  unitPath,
} from './systemd-unit.js';
import type { MachineFacts, RemoteMachine } from '../../core/model/machine.js';

export {
  type NormalizedSpec,
  type RestartPolicy,
  type ServiceSpec,
  type ServiceState,
  normalizeSpec,
  serviceNameIssues,
  validateServiceSpec,
} from './service-spec.js';

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

export interface ServicesOptions {
  /** How errors name the machine (its id); the machine's hostname when unset. */
  machineName?: string;
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
