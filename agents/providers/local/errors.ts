// Typed errors of the local provider (STYLE.md practice 4): each carries the facts (machine,
// step, command, exit code, stderr) and builds its own message; only the CLI prints them.
import { RuneError } from '../../../core/model/errors.js';

/** The local provider runs only as root on Linux; existing hosts can still join over SSH. */
export class LocalProviderNeedsRootError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly platform: string,
    readonly uid: number | undefined,
  ) {
    super(
      `the local provider needs root on Linux (running on ${platform}` +
        `${uid === undefined ? '' : ` as uid ${uid}`}); run the controller as root, or add ` +
        `existing hosts with \`rune add-machine ssh:[user@]host\``,
    );
  }
}

/** A command the provider ran exited non-zero (or could not start). */
export class CommandFailedError extends RuneError {
  readonly kind = 'internal';
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | string | undefined,
    readonly stderr: string,
  ) {
    super(
      `\`${command.join(' ')}\` failed (exit ${String(exitCode ?? 'unknown')})` +
        (stderr.trim() === '' ? '' : `: ${stderr.trim()}`),
    );
  }
}

export type CreateStep =
  | 'check-host'
  | 'bridge'
  | 'state-dir'
  | 'host-key'
  | 'netns'
  | 'veth'
  | 'view'
  | 'start-sshd'
  | 'wait-sshd';

/** Creating machine `machineId` failed at `step`; `stderr` is the failed command's. */
export class MachineCreateError extends RuneError {
  readonly kind = 'internal';
  constructor(
    readonly machineId: string,
    readonly step: CreateStep,
    readonly detail: string,
    readonly stderr = '',
  ) {
    super(
      `local machine ${machineId}: ${step} failed: ${detail}` +
        (stderr.trim() === '' || detail.includes(stderr.trim()) ? '' : `\n${stderr.trim()}`),
    );
  }
}

/** Destroying a machine left something behind (a process that would not die, a busy mount). */
export class MachineDestroyError extends RuneError {
  readonly kind = 'internal';
  constructor(
    readonly instanceId: string,
    readonly detail: string,
  ) {
    super(`local machine ${instanceId}: destroy failed: ${detail}`);
  }
}

/** Installing the host packages the local provider needs (sshd, tini, ip) failed. */
export class HostPackagesError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly missing: readonly string[],
    readonly command: readonly string[],
    readonly exitCode: number | string | undefined,
    readonly stderr: string,
  ) {
    super(
      `the local provider needs ${missing.join(', ')}; \`${command.join(' ')}\` failed ` +
        `(exit ${String(exitCode ?? 'unknown')})${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`,
    );
  }
}

/** A value given to the provider (controller id, machine id, key, state dir) is unusable. */
export class LocalProviderConfigError extends RuneError {
  readonly kind = 'user';
  constructor(
    readonly field: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`local provider ${field} ${JSON.stringify(value)}: ${reason}`);
  }
}

/** Every /16 in 10.0.0.0/8 and 172.16.0.0/12 overlaps a route already on this host. */
export class NoFreeSubnetError extends RuneError {
  readonly kind = 'user';
  constructor(readonly controllerId: string) {
    super(
      `local provider (controller ${controllerId}): every /16 in 10.0.0.0/8 and 172.16.0.0/12 ` +
        'overlaps a route on this host; free one up or add machines with `rune add-machine ssh:`',
    );
  }
}

/** `waitFor` gave up; the message names what it waited for. */
export class WaitTimeoutError extends RuneError {
  readonly kind = 'internal';
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}
