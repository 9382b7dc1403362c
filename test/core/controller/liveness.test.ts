// Whether a silent controller is gone (start another) or there (exit 3), from its lock and pid
// file: the decisions behind issue 15 item 7, one row per situation a CLI can meet.
import { describe, expect, it } from 'vitest';
import {
  isControllerCommand,
  judgeSilentController,
  processState,
  type SilentControllerFacts,
} from '../../../core/controller/liveness.js';

describe('judgeSilentController', () => {
  const rows: [string, SilentControllerFacts, ReturnType<typeof judgeSilentController>][] = [
    [
      'killed: lock free, recorded pid dead → start another',
      { lock: { held: false }, recordedPid: 41, recordedAlive: false },
      { kind: 'gone' },
    ],
    [
      'never ran, or removed its pid file: nothing held → start',
      { lock: { held: false }, recordedAlive: false },
      { kind: 'gone' },
    ],
    [
      'stopped or hung: it holds the lock → silent, named by the lock',
      {
        lock: { held: true, pid: 42 },
        recordedPid: 42,
        recordedAlive: true,
        recordedIsController: true,
      },
      { kind: 'silent', pid: 42 },
    ],
    [
      'lock held by a pid /proc/locks cannot name: the recorded one, if alive',
      { lock: { held: true, pid: undefined }, recordedPid: 43, recordedAlive: true },
      { kind: 'silent', pid: 43 },
    ],
    [
      'lock held, nothing to name it by: still silent, never a second controller',
      { lock: { held: true, pid: undefined }, recordedPid: 44, recordedAlive: false },
      { kind: 'silent', pid: undefined },
    ],
    [
      'a live controller from before the lock: silent, not doubled',
      { lock: { held: false }, recordedPid: 45, recordedAlive: true, recordedIsController: true },
      { kind: 'silent', pid: 45 },
    ],
    [
      'alive but cannot tell what it runs (no /proc): taken for the controller',
      { lock: { held: false }, recordedPid: 46, recordedAlive: true },
      { kind: 'silent', pid: 46 },
    ],
    [
      'its pid reused by another program after a reboot → start',
      { lock: { held: false }, recordedPid: 47, recordedAlive: true, recordedIsController: false },
      { kind: 'gone' },
    ],
  ];
  it.each(rows)('%s', (_, facts, verdict) => {
    expect(judgeSilentController(facts)).toEqual(verdict);
  });
});

describe('isControllerCommand', () => {
  it('knows `controller run NAME` however it was started, and only for that name', () => {
    const bootstrap = [
      '/usr/bin/node',
      '/opt/rune/dist/core/cli/rune.js',
      'controller',
      'run',
      'lab',
    ];
    expect(isControllerCommand(bootstrap, 'lab')).toBe(true);
    expect(isControllerCommand(['rune', 'controller', 'run', 'lab', ''], 'lab')).toBe(true);
    expect(isControllerCommand(bootstrap, 'other')).toBe(false);
    expect(isControllerCommand(['/usr/sbin/sshd', '-D'], 'lab')).toBe(false);
    expect(isControllerCommand(['rune', 'status', 'controller', 'run'], 'lab')).toBe(false);
  });
});

describe('processState', () => {
  it('reads the state after the command name, spaces and parentheses in it too', () => {
    expect(processState('4711 (node) T 1 4711 4711 0 -1')).toBe('T');
    expect(processState('4712 (a (b) c) S 1 4712')).toBe('S');
    expect(processState('')).toBeUndefined();
  });
});
