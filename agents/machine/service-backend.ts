// What both service backends share: running a command that must succeed, and writing a file
// only when its content differs.
import { ServiceError, stderrTail } from './service-errors.js';
import type { ServiceAction } from './service-errors.js';
import type { CommandResult, RemoteMachine } from '../../core/model/machine.js';

/** Shared by both backends: run a command, turn a non-zero exit into a ServiceError. */
export abstract class Backend {
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
