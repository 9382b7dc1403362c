import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('rune (no verb, help, unknown verbs)', () => {
  it('lists the commands with --help and exits 0', async () => {
    const r = await runCli('--help');
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe(
      'Rune deploys bundles of charms to machines over SSH and keeps them running.',
    );
    expect(r.out.some((l) => /^ {2}deploy +Deploy a bundle/.test(l))).toBe(true);
  });

  it('shows one verb with help VERB and with VERB --help', async () => {
    const a = await runCli('help', 'deploy');
    const b = await runCli('deploy', '--help');
    expect(a.code).toBe(0);
    expect(a.out[0]).toBe(
      'usage: rune deploy BUNDLE|CHARM [APP] [-n N] [--to P] [--config k=v]... [--overlay FILE]... [--dry-run] [--wait[=T]]',
    );
    expect(b.out[0]).toBe(a.out[0]);
    expect(a.out.join('\n')).toContain('--overlay FILE');
  });

  it('suggests the nearest verb and exits 2', async () => {
    const r = await runCli('deplyo', 'x.yaml');
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe('rune: unknown command "deplyo"; did you mean "deploy"?');
  });

  it('gives no suggestion when nothing is near', async () => {
    const r = await runCli('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe('rune: unknown command "frobnicate"');
  });

  it('help for an unknown verb is a usage error', async () => {
    const r = await runCli('help', 'deplo');
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe('rune: unknown command "deplo"; did you mean "deploy"?');
  });

  it('prints the version', async () => {
    const r = await runCli('--version');
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
