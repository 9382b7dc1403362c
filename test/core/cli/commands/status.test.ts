// `rune status`'s own flags (its output is formatted by core/controller/status-text.ts).
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

describe('rune status flags', () => {
  it('knows --relations (a near miss is a usage error that suggests it)', async () => {
    const r = await runCli('status', '--relatons');
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe('rune: unknown flag --relatons; did you mean --relations?');
  });
});
