// The supervisor backend's one-time set-up: checked once per machine connection, however many
// Services objects (one per hook) use it, and checked again after a supervise call failed.
import { describe, expect, test } from 'vitest';
import { services } from '../../../agents/machine/services.js';
import { SUPERVISOR_PATH, SUPERVISOR_SCRIPT } from '../../../agents/machine/supervisor-script.js';
import type { CommandResult, MachineFacts, RemoteMachine } from '../../../agents/machine/types.js';

const facts = { hostname: 'm0', systemd: false } as MachineFacts;

/** A machine that answers every command with exit 0, except what `fail` says, and logs them. */
function fakeRemote(fail: (command: string) => boolean = () => false) {
  const commands: string[] = [];
  const ok = (stdout = ''): CommandResult => ({
    code: 0,
    stdout: Buffer.from(stdout),
    stderr: Buffer.alloc(0),
  });
  const remote = {
    run: (command: string) => {
      commands.push(command);
      if (fail(command)) {
        return Promise.resolve({ code: 127, stdout: Buffer.alloc(0), stderr: Buffer.from('gone') });
      }
      // The script is already in place: its content comes back unchanged.
      return Promise.resolve(ok(command.startsWith('cat --') ? SUPERVISOR_SCRIPT : ''));
    },
    writeFile: () => Promise.resolve(),
  } as unknown as RemoteMachine;
  return { remote, commands };
}

const checks = (commands: string[]) =>
  commands.filter((c) => c.startsWith('cat --') && c.includes(SUPERVISOR_PATH)).length;

describe('supervisor set-up', () => {
  test('is checked once per connection, not once per hook', async () => {
    const { remote, commands } = fakeRemote();
    await services(remote, facts).start('etcd');
    await services(remote, facts).start('etcd');
    await services(remote, facts).restart('etcd');
    expect(checks(commands)).toBe(1);
    expect(commands.filter((c) => c.endsWith(' start etcd'))).toHaveLength(3);
  });

  test('is checked again after a supervise call failed (the script may be gone)', async () => {
    let broken = true;
    const { remote, commands } = fakeRemote((c) => broken && c.endsWith(' start etcd'));
    await expect(services(remote, facts).start('etcd')).rejects.toThrow();
    broken = false;
    await services(remote, facts).start('etcd');
    expect(checks(commands)).toBe(2);
  });
});
