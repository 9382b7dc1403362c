// --watch: a rendering is shown only when it differs from the last; a terminal is cleared
// first; the loop ends when its signal aborts.
import { describe, expect, it } from 'vitest';
import { watch } from '../../../core/cli/watch.js';

function capture() {
  const out: string[] = [];
  const raw: string[] = [];
  return {
    out,
    raw,
    io: {
      out: (l: string) => out.push(l),
      err: () => undefined,
      outRaw: (b: Buffer) => raw.push(b.toString()),
      errRaw: () => undefined,
    },
  };
}

describe('watch', () => {
  it('prints each new rendering once, and stops when aborted', async () => {
    const frames = ['a', 'a', 'b', 'b', 'c'];
    const stop = new AbortController();
    let n = 0;
    const { out, io } = capture();
    await watch(
      () => {
        const frame = frames[Math.min(n, frames.length - 1)] ?? '';
        n += 1;
        if (n === frames.length) stop.abort();
        return Promise.resolve(frame);
      },
      io,
      { intervalMs: 1, signal: stop.signal, clear: false },
    );
    expect(out).toEqual(['a', '', 'b', '', 'c']);
  });

  it('clears a terminal before each new rendering', async () => {
    const stop = new AbortController();
    const { out, raw, io } = capture();
    let n = 0;
    await watch(
      () => {
        n += 1;
        if (n === 2) stop.abort();
        return Promise.resolve(`frame ${n}`);
      },
      io,
      { intervalMs: 1, signal: stop.signal, clear: true },
    );
    expect(out).toEqual(['frame 1', 'frame 2']);
    expect(raw).toEqual(['\x1b[2J\x1b[H', '\x1b[2J\x1b[H']);
  });
});
