// The apt probe: its script run for real on this Debian host (dpkg answers for what is installed,
// apt-cache only for the rest, nothing but the stamp for a caller that holds answers), and
// aptAvailable keeping answers in the unit's state until the stamp moves.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { aptAvailable } from '../../../charms/lib/apt-probe.js';
import { aptProbeCommand, parseAptProbe } from '../../../charms/lib/sources.js';
import type { HookContext, JsonValue } from '../../../core/charm/index.js';

const sh = (command: string) => execFileSync('sh', ['-c', command], { encoding: 'utf8' });

// Rune's hosts are Debian (DESIGN §4): a host without dpkg fails here rather than skipping.
describe('the apt probe script on this host', () => {
  it('answers from dpkg for installed packages and gives a stamp', () => {
    const out = parseAptProbe(sh(aptProbeCommand('', ['dpkg', 'coreutils'])));
    expect(out.stamp).toMatch(/^\d+\.\d+\.$/);
    expect(out.has).toEqual({ dpkg: true, coreutils: true });
  });

  it('says no for a package apt does not know', () => {
    const out = parseAptProbe(sh(aptProbeCommand('', ['dpkg', 'rune-no-such-package'])));
    expect(out.has['dpkg']).toBe(true);
    expect(out.has['rune-no-such-package']).toBeUndefined();
  });

  it('prints only the stamp to a caller that holds it', () => {
    const { stamp } = parseAptProbe(sh(aptProbeCommand('', ['dpkg'])));
    expect(sh(aptProbeCommand(stamp, ['dpkg']))).toBe(`stamp ${stamp}\n`);
  });
});

describe('parseAptProbe', () => {
  it("reads dpkg's lines and each apt-cache policy section", () => {
    const out = parseAptProbe(
      [
        'stamp 1.2.',
        'installed containerd',
        'kubernetes-client:',
        '  Installed: (none)',
        '  Candidate: 1.20.5+really1.20.2-1.1+deb12u1',
        '  Version table:',
        '     1.20.5+really1.20.2-1.1+deb12u1 500',
        'flanneld:',
        '  Installed: (none)',
        '  Candidate: (none)',
        '',
      ].join('\n'),
    );
    expect(out).toEqual({
      stamp: '1.2.',
      has: { containerd: true, 'kubernetes-client': true, flanneld: false },
    });
  });
});

/** A context with only what aptAvailable touches: state and a machine answering the probe. */
function probeContext(answer: (command: string) => string) {
  const stored = new Map<string, JsonValue>();
  const commands: string[] = [];
  const ctx = {
    state: {
      get: (key: string) => stored.get(key),
      set: (key: string, value: JsonValue) => void stored.set(key, value),
    },
    machine: {
      run: (command: string) => {
        commands.push(command);
        return Promise.resolve({ code: 0, stdout: Buffer.from(answer(command)), stderr: '' });
      },
    },
  } as unknown as HookContext;
  return { ctx, commands };
}

describe('aptAvailable', () => {
  it('asks apt once, then only for the stamp while it holds', async () => {
    let stamp = '1.1.';
    let candidate = '1.20.5';
    // As the script does: nothing but the stamp to a caller holding the current one.
    const { ctx, commands } = probeContext((command) =>
      command.includes(`rune-apt-probe ${stamp} `)
        ? `stamp ${stamp}\n`
        : `stamp ${stamp}\nkubernetes-client:\n  Installed: (none)\n  Candidate: ${candidate}\n`,
    );
    expect(await aptAvailable(ctx, ['kubernetes-client'])).toEqual({ 'kubernetes-client': true });
    candidate = '(none)';
    expect(await aptAvailable(ctx, ['kubernetes-client'])).toEqual({ 'kubernetes-client': true });
    expect(commands).toEqual([
      aptProbeCommand('', ['kubernetes-client']),
      aptProbeCommand('1.1.', ['kubernetes-client']),
    ]);
    // apt-get update moved the stamp: the new answer is read, and kept under the new stamp.
    stamp = '2.1.';
    expect(await aptAvailable(ctx, ['kubernetes-client'])).toEqual({ 'kubernetes-client': false });
    await aptAvailable(ctx, ['kubernetes-client']);
    expect(commands.at(-1)).toBe(aptProbeCommand('2.1.', ['kubernetes-client']));
  });

  it('asks afresh for a package its answers do not cover', async () => {
    const { ctx, commands } = probeContext(
      () => 'stamp 1.1.\nkubernetes-client:\n  Installed: (none)\n  Candidate: 1.20.5\n',
    );
    await aptAvailable(ctx, ['kubernetes-client']);
    expect(await aptAvailable(ctx, ['containerd'])).toEqual({ containerd: false });
    expect(commands.at(-1)).toBe(aptProbeCommand('', ['containerd']));
  });
});
