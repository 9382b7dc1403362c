// The harness's fake machine: records every call, answers commands from a table the charm author
// gives, keeps files and services in memory. A fake, and it says so: it does not model shells
// (commands match exactly), permissions, owners, time, packages' side effects or failures of I/O
// other than a package install it is told to fail.
import type { FileWrite } from '../model/machine.js';
import type { CharmMachine, CharmServiceSpec } from './context-types.js';
import { FakeMachineError } from './hook-errors.js';

/** How a command answers: stdout text, or a full result. */
export type RunAnswer = string | { code?: number; stdout?: string; stderr?: string };

export type ServiceStateName = 'running' | 'stopped';

/** The fake machine's part of a harness state: in before the hook, out after it. */
export interface MachineState {
  /** ctx.machine.hostname; default `fake-machine`. */
  hostname?: string;
  /**
   * Exact command → answer. A command not in the table throws FakeMachineError. A list answers
   * successive runs in turn, its last answer repeating: a charm that polls sees the change.
   */
  run?: Record<string, RunAnswer | readonly RunAnswer[]>;
  /** Path → contents. */
  files?: Record<string, string>;
  /** Installed services and whether they run. */
  services?: Record<string, { spec: CharmServiceSpec; state: ServiceStateName }>;
  /** Service name → its output so far, as services.logs() tails it. */
  serviceLogs?: Record<string, string>;
  /** Installed packages, sorted. */
  packages?: string[];
  /** Packages whose install fails, as apt-get does on a machine with no route to a mirror. */
  uninstallable?: string[];
}

export type MachineCall =
  | { op: 'run'; command: string }
  | { op: 'writeFile'; path: string; data: string; mode?: number; owner?: string }
  | { op: 'readFile'; path: string }
  | { op: 'installPackages'; names: string[] }
  | {
      op: 'service';
      action: 'install' | 'start' | 'stop' | 'restart' | 'status' | 'remove' | 'logs';
      name: string;
    };

export interface FakeMachine {
  machine: CharmMachine;
  calls: MachineCall[];
  /** The machine after the hook: effects are kept even when the hook failed (hosts have no
   * transactions, DESIGN §6). */
  state(): MachineState;
}

export function fakeMachine(initial: MachineState = {}): FakeMachine {
  const table = { ...initial.run };
  const files = new Map(Object.entries(initial.files ?? {}));
  const services = new Map(Object.entries(initial.services ?? {}));
  const packages = new Set(initial.packages ?? []);
  const calls: MachineCall[] = [];
  /** How often each command ran, for answers given as lists. */
  const runs = new Map<string, number>();

  const service = (name: string) => {
    const found = services.get(name);
    if (!found) {
      throw new FakeMachineError(`service "${name}" is not installed; install it first`);
    }
    return found;
  };

  const write = (file: FileWrite): boolean => {
    const text = typeof file.data === 'string' ? file.data : file.data.toString('utf8');
    if (file.onlyIfChanged === true && files.get(file.path) === text) return false;
    const call: MachineCall = { op: 'writeFile', path: file.path, data: text };
    if (file.mode !== undefined) call.mode = file.mode;
    if (file.owner !== undefined) call.owner = file.owner;
    calls.push(call);
    files.set(file.path, text);
    return true;
  };

  const hostname = initial.hostname ?? 'fake-machine';
  const machine: CharmMachine = {
    hostname,
    run(command) {
      calls.push({ op: 'run', command });
      const entry = table[command];
      const seen = runs.get(command) ?? 0;
      runs.set(command, seen + 1);
      const answer: RunAnswer | undefined = isList(entry)
        ? entry[Math.min(seen, entry.length - 1)]
        : entry;
      if (answer === undefined) {
        const known = Object.keys(table);
        return Promise.reject(
          new FakeMachineError(
            `no answer for command ${JSON.stringify(command)}; add it to the state's machine.run ` +
              `(known: ${known.length > 0 ? known.map((k) => JSON.stringify(k)).join(', ') : 'none'})`,
          ),
        );
      }
      const full = typeof answer === 'string' ? { stdout: answer } : answer;
      return Promise.resolve({
        code: full.code ?? 0,
        stdout: Buffer.from(full.stdout ?? ''),
        stderr: Buffer.from(full.stderr ?? ''),
      });
    },
    writeFile(path, data, options) {
      write({ ...options, path, data });
      return Promise.resolve();
    },
    // Recorded as one writeFile call per file written: one round trip or several is the real
    // machine's business, what lands where is the charm's.
    writeFiles(list) {
      return Promise.resolve(list.map(write));
    },
    readFile(path) {
      calls.push({ op: 'readFile', path });
      const text = files.get(path);
      if (text === undefined) {
        return Promise.reject(
          new FakeMachineError(`no file ${path}; add it to the state's machine.files`),
        );
      }
      return Promise.resolve(Buffer.from(text));
    },
    installPackages(names) {
      calls.push({ op: 'installPackages', names: [...names] });
      const failing = names.filter((n) => initial.uninstallable?.includes(n));
      if (failing.length > 0) {
        return Promise.reject(
          new Error(`cannot install ${failing.join(', ')}: E: Unable to fetch some archives`),
        );
      }
      for (const name of names) packages.add(name);
      return Promise.resolve();
    },
    services: {
      install(spec) {
        calls.push({ op: 'service', action: 'install', name: spec.name });
        const before = services.get(spec.name);
        const changed = JSON.stringify(before?.spec) !== JSON.stringify(spec);
        services.set(spec.name, { spec: { ...spec }, state: before?.state ?? 'stopped' });
        return Promise.resolve(changed);
      },
      // Nothing to set up on a fake: not recorded.
      prepare() {
        return Promise.resolve();
      },
      // Recorded as the install and the start or restart it stands for.
      async ensure(spec, options) {
        const changed = await machine.services.install(spec);
        if (changed === true || options?.restart === true)
          await machine.services.restart(spec.name);
        else await machine.services.start(spec.name);
        return changed === true;
      },
      start(name) {
        calls.push({ op: 'service', action: 'start', name });
        return Promise.resolve().then(() => void (service(name).state = 'running'));
      },
      stop(name) {
        calls.push({ op: 'service', action: 'stop', name });
        return Promise.resolve().then(() => void (service(name).state = 'stopped'));
      },
      restart(name) {
        calls.push({ op: 'service', action: 'restart', name });
        return Promise.resolve().then(() => void (service(name).state = 'running'));
      },
      status(name) {
        calls.push({ op: 'service', action: 'status', name });
        const state = services.get(name)?.state ?? 'missing';
        // A running workload has a pid, as on a real machine: a health check tells a service
        // between two restarts (no pid) from one that runs.
        return Promise.resolve({ name, state, ...(state === 'running' ? { pid: 4242 } : {}) });
      },
      remove(name) {
        calls.push({ op: 'service', action: 'remove', name });
        services.delete(name);
        return Promise.resolve();
      },
      logs(name, lines) {
        calls.push({ op: 'service', action: 'logs', name });
        const text = initial.serviceLogs?.[name] ?? '';
        const all = text.split('\n').filter((l) => l !== '');
        return Promise.resolve(
          all
            .slice(-lines)
            .map((l) => `${l}\n`)
            .join(''),
        );
      },
    },
  };

  return {
    machine,
    calls,
    state: () => ({
      ...(initial.hostname === undefined ? {} : { hostname }),
      run: { ...table },
      files: Object.fromEntries([...files].sort(([a], [b]) => a.localeCompare(b))),
      services: Object.fromEntries(
        [...services].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, { ...v }]),
      ),
      packages: [...packages].sort(),
      ...(initial.serviceLogs === undefined ? {} : { serviceLogs: { ...initial.serviceLogs } }),
    }),
  };
}

function isList(
  entry: RunAnswer | readonly RunAnswer[] | undefined,
): entry is readonly RunAnswer[] {
  return Array.isArray(entry);
}
