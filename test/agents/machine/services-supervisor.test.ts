// The supervisor backend's one-time set-up: checked once per machine connection, however many
// Services objects (one per hook) use it, and checked again after a supervise call failed.
import { describe, expect, test } from 'vitest';
import { services } from '../../../agents/machine/services.js';
import { SUPERVISOR_PATH, SUPERVISOR_SCRIPT } from '../../../agents/machine/supervisor-script.js';
import type { CommandResult, MachineFacts, RemoteMachine } from '../../../core/model/machine.js';

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
      // Files are already in place: every write-if-changed reports its file unchanged.
      const same = [...command.matchAll(/echo "(rune-file \d+ same)"/g)].map((m) => m[1]);
      return Promise.resolve(ok(same.join('\n')));
    },
  } as unknown as RemoteMachine;
  return { remote, commands };
}

const checks = (commands: string[]) =>
  commands.filter((c) => c.includes(`head -c ${Buffer.byteLength(SUPERVISOR_SCRIPT)} `)).length;

describe('supervisor set-up', () => {
  test('is checked once per connection, not once per hook', async () => {
    const { remote, commands } = fakeRemote();
    await services(remote, facts).start('etcd');
    await services(remote, facts).start('etcd');
    await services(remote, facts).restart('etcd');
    expect(checks(commands)).toBe(1);
    expect(commands.filter((c) => c.endsWith(' start etcd'))).toHaveLength(3);
  });

  test('prepare sets it up ahead, so the first ensure carries the service alone', async () => {
    const { remote, commands } = fakeRemote();
    await services(remote, facts).prepare();
    await services(remote, facts).prepare();
    expect(commands).toHaveLength(1);
    expect(checks(commands)).toBe(1);
    await services(remote, facts).ensure({ name: 'etcd', command: ['/usr/bin/etcd'] });
    expect(commands).toHaveLength(2);
    expect(checks(commands)).toBe(1);
  });

  test('ensure sets the supervisor up in the same round trip, then only the service', async () => {
    const { remote, commands } = fakeRemote();
    const spec = { name: 'etcd', command: ['/usr/bin/etcd'] };
    expect(await services(remote, facts).ensure(spec)).toBe(false);
    expect(await services(remote, facts).ensure(spec, { restart: true })).toBe(false);
    expect(commands).toHaveLength(2);
    expect(checks(commands)).toBe(1);
    expect(commands[0]).toContain(`${SUPERVISOR_PATH} start etcd`);
    expect(commands[1]).toContain(
      `${SUPERVISOR_PATH} stop etcd && /bin/sh ${SUPERVISOR_PATH} start etcd`,
    );
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
