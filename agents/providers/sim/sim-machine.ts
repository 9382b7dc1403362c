// A SIMULATED machine for scale benchmarks (DESIGN §4 `sim`): a CharmMachine whose files, services
// and packages live in memory and whose every call first waits the latency model's delay. It does
// not model shells (commands answer from a table), permissions, owners, disk, CPU, failures of I/O,
// or time spent by the work itself — only the round trip, and a whole machine lost (`lose`): every
// call then fails, as a dead host's would, until `heal`.
import type {
  CharmMachine,
  CharmServiceSpec,
  CommandResult,
} from '../../../core/charm/context-types.js';
import { SimMachineError, SimMachineLostError } from './errors.js';
import {
  DEFAULT_LATENCY,
  drawDelay,
  type LatencyModel,
  realSleep,
  seededRandom,
  type Sleep,
} from './latency.js';

/** How a command answers: stdout text, or a full result. */
export type SimAnswer = string | { code?: number; stdout?: string; stderr?: string };

export interface SimMachineOptions {
  latency?: LatencyModel;
  /** Seeds the jitter: one seed, one sequence of delays. */
  seed?: number;
  sleep?: Sleep;
  /** Exact command → answer, beside the built-ins (`true`, `hostname`, `cat PATH`). */
  commands?: Record<string, SimAnswer>;
}

export type SimServiceState = 'running' | 'stopped';

export interface SimMachineStats {
  calls: number;
  /** Sum of the delays drawn, in ms (what the model asked for, not what timers delivered). */
  delayMs: number;
}

export interface SimMachine {
  readonly id: string;
  readonly machine: CharmMachine;
  readonly stats: SimMachineStats;
  files(): Record<string, string>;
  services(): Record<string, { spec: CharmServiceSpec; state: SimServiceState }>;
  packages(): string[];
  /** Whether the machine is lost: every call fails until healed. */
  readonly lost: boolean;
  lose(): void;
  heal(): void;
}

const result = (code: number, stdout = '', stderr = ''): CommandResult => ({
  code,
  stdout: Buffer.from(stdout),
  stderr: Buffer.from(stderr),
});

export function simMachine(id: string, options: SimMachineOptions = {}): SimMachine {
  const latency = options.latency ?? DEFAULT_LATENCY;
  const random = seededRandom(options.seed ?? 1);
  const sleep = options.sleep ?? realSleep;
  const table = { ...options.commands };
  const files = new Map<string, string>();
  const services = new Map<string, { spec: CharmServiceSpec; state: SimServiceState }>();
  const packages = new Set<string>();
  const stats: SimMachineStats = { calls: 0, delayMs: 0 };
  let lost = false;

  // The delay comes before the effect: a remote call's effect is seen when its answer arrives.
  const call = async <T>(effect: () => T): Promise<T> => {
    const delay = drawDelay(latency, random);
    stats.calls++;
    stats.delayMs += delay;
    await sleep(delay);
    // Checked after the wait: a machine lost while a call was on its way never answers it.
    if (lost) throw new SimMachineLostError(id);
    return effect();
  };

  const answer = (command: string): CommandResult => {
    const given = table[command];
    if (given !== undefined) {
      const full = typeof given === 'string' ? { stdout: given } : given;
      return result(full.code ?? 0, full.stdout, full.stderr);
    }
    if (command === 'true') return result(0);
    if (command === 'hostname') return result(0, `${id}\n`);
    const cat = /^cat (\S+)$/.exec(command);
    if (cat?.[1] !== undefined) {
      const text = files.get(cat[1]);
      return text === undefined
        ? result(1, '', `cat: ${cat[1]}: No such file or directory\n`)
        : result(0, text);
    }
    // As a shell would answer, rather than throwing: a charm sees an exit code.
    return result(127, '', `sim: ${command.split(' ')[0] ?? ''}: command not found\n`);
  };

  const installed = (name: string) => {
    const found = services.get(name);
    if (!found) throw new SimMachineError(id, `service "${name}" is not installed`);
    return found;
  };

  const machine: CharmMachine = {
    hostname: String(id),
    run: (command) => call(() => answer(command)),
    writeFile: (path, data) =>
      call(() => void files.set(path, typeof data === 'string' ? data : data.toString('utf8'))),
    writeFiles: (list) =>
      call(() =>
        list.map(({ path, data, onlyIfChanged }) => {
          const text = typeof data === 'string' ? data : data.toString('utf8');
          if (onlyIfChanged === true && files.get(path) === text) return false;
          files.set(path, text);
          return true;
        }),
      ),
    readFile: (path) =>
      call(() => {
        const text = files.get(path);
        if (text === undefined) throw new SimMachineError(id, `no file ${path}`);
        return Buffer.from(text);
      }),
    installPackages: (names) => call(() => names.forEach((n) => packages.add(n))),
    services: {
      install: (spec) =>
        call(() => {
          const before = services.get(spec.name);
          services.set(spec.name, { spec: { ...spec }, state: before?.state ?? 'stopped' });
          return JSON.stringify(before?.spec) !== JSON.stringify(spec);
        }),
      prepare: () => call(() => undefined),
      // Started or restarted, it runs either way: `restart` only matters on a real machine.
      ensure: (spec) =>
        call(() => {
          const before = services.get(spec.name);
          const changed = JSON.stringify(before?.spec) !== JSON.stringify(spec);
          services.set(spec.name, { spec: { ...spec }, state: 'running' });
          return changed;
        }),
      start: (name) => call(() => void (installed(name).state = 'running')),
      stop: (name) => call(() => void (installed(name).state = 'stopped')),
      restart: (name) => call(() => void (installed(name).state = 'running')),
      status: (name) => call(() => ({ name, state: services.get(name)?.state ?? 'missing' })),
      remove: (name) => call(() => void services.delete(name)),
      // A simulated workload writes no output.
      logs: () => call(() => ''),
    },
  };

  const sorted = <V>(m: Map<string, V>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    id,
    machine,
    stats,
    files: () => Object.fromEntries(sorted(files)),
    services: () => Object.fromEntries(sorted(services).map(([k, v]) => [k, { ...v }])),
    packages: () => [...packages].sort(),
    get lost() {
      return lost;
    },
    lose: () => void (lost = true),
    heal: () => void (lost = false),
  };
}
