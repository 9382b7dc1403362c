// A SIMULATED machine seen as the controller sees a host over SSH (core/model RemoteMachine), so
// the machine pool, probes and `rune exec` work on a sim cloud as on local machines. Commands and
// files go to the sim machine (sim-machine.ts); its facts are made up and say `sim`.
import type {
  FileWrite,
  MachineFacts,
  RemoteMachine,
  RunOptions,
  StreamSink,
} from '../../../core/model/machine.js';
import type { SimMachine } from './sim-machine.js';

const GIB = 1024 ** 3;

export function simFacts(sim: SimMachine, address: string): MachineFacts {
  return {
    os: 'sim',
    osVersion: '1',
    arch: 'amd64',
    cores: 2,
    memoryBytes: 4 * GIB,
    rootDiskBytes: 40 * GIB,
    addresses: [address],
    hostname: sim.id,
    systemd: false,
    snapd: false,
  };
}

export function simRemoteMachine(sim: SimMachine, address: string): RemoteMachine {
  const machine = sim.machine;
  return {
    run: (command: string, _options?: RunOptions) => machine.run(command),
    async stream(command: string, sink: StreamSink, _options?: RunOptions) {
      const result = await machine.run(command);
      if (result.stdout.length > 0) sink.stdout(result.stdout);
      if (result.stderr.length > 0) sink.stderr(result.stderr);
      return result.code;
    },
    writeFile: (path, data) => machine.writeFile(path, data),
    writeFiles: (files: readonly FileWrite[]) => machine.writeFiles(files),
    readFile: (path) => machine.readFile(path),
    // A round trip like the others: a lost machine tells nothing.
    facts: () => machine.run('true').then(() => simFacts(sim, address)),
    close: () => Promise.resolve(),
  };
}
