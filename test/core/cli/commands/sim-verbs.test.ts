// `rune bootstrap sim` flags and `rune sim`'s words, refused before any controller is made or
// asked: each a usage error (exit 2) naming what is wrong, and no controller folder left behind.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

let home: string;
const previousHome = process.env.RUNE_HOME;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'rune-home-'));
  process.env.RUNE_HOME = home;
});
afterEach(() => {
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
});

async function refused(args: string[], message: RegExp): Promise<void> {
  const r = await runCli(...args);
  expect(r.code, r.out.join('\n')).toBe(2);
  expect(r.err[0]).toMatch(message);
  expect(existsSync(join(home, 'controllers'))).toBe(false);
}

describe('bootstrap sim and sim, refused', () => {
  it('a bad latency or jitter, latency on another provider, an unknown provider', async () => {
    await refused(['bootstrap', 'sim', '--latency', 'fast'], /--latency fast: give a duration/);
    await refused(['bootstrap', 'sim', '--jitter', '11s'], /--jitter 11s: give a duration up to/);
    await refused(['bootstrap', 'local', '--latency', '1ms'], /for the sim provider only/);
    await refused(['bootstrap', 'aws'], /unknown provider "aws"; use local, manual or sim/);
  });

  it('sim without a command, with an unknown one, without ids or with a bad id', async () => {
    await refused(['sim'], /sim needs lose-machine or heal-machine/);
    await refused(['sim', 'kill', '3'], /unknown sim command "kill"/);
    await refused(['sim', 'lose-machine'], /lose-machine needs a machine id/);
    await refused(['sim', 'heal-machine', '3', 'x'], /invalid machine id "x"/);
  });
});
