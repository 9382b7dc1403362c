// The session's frame parser, fed the same stream split at every boundary, including inside the
// markers, and the scripts it pairs with.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  FrameParser,
  MarkerScanner,
  commandScript,
  newNonce,
} from '../../../agents/machine/framing.js';

const N = 'R_00112233445566778899aabb';
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

function stdoutStream(junk: Buffer, body: Buffer, code: number): Buffer {
  return Buffer.concat([junk, Buffer.from(`${N}<`), body, Buffer.from(`${N}>${code}\n`)]);
}

/** Feeds `stream` split at the given cut points; returns the parser and where it finished. */
function feed(stream: Buffer, cuts: number[], withCode = true) {
  const parser = new FrameParser(N, withCode);
  let doneAt = -1;
  let from = 0;
  for (const to of [...cuts, stream.length]) {
    if (parser.push(stream.subarray(from, to)) && doneAt < 0) doneAt = to;
    from = to;
  }
  return { parser, doneAt };
}

describe('FrameParser', () => {
  const body = Buffer.concat([ALL_BYTES, Buffer.from(`${N.slice(0, 10)} R_ ${N.slice(0, -1)}<>`)]);
  const junk = Buffer.from(`stray ${N.slice(0, 5)}`);
  const stream = stdoutStream(junk, body, 137);

  test('recovers body and exit code however the stream is split in two or three', () => {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j += 7) {
        const { parser, doneAt } = feed(stream, [i, j]);
        expect(parser.done).toBe(true);
        expect(doneAt).toBe(stream.length);
        expect(parser.code).toBe(137);
        expect(parser.body().equals(body)).toBe(true);
      }
    }
  });

  test('recovers the body when fed one byte at a time', () => {
    const { parser } = feed(
      stream,
      Array.from({ length: stream.length }, (_, i) => i),
    );
    expect(parser.body().equals(body)).toBe(true);
    expect(parser.code).toBe(137);
  });

  test('any body without the nonce, split anywhere, comes back byte-exact', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 0, max: 255 }),
        (bytes, rawCuts, code) => {
          const b = Buffer.from(bytes);
          const s = stdoutStream(Buffer.alloc(0), b, code);
          const cuts = rawCuts.map((c) => c % (s.length + 1)).sort((x, y) => x - y);
          const { parser } = feed(s, cuts);
          return parser.done && parser.code === code && parser.body().equals(b);
        },
      ),
    );
  });

  test('a stderr frame ends at its end mark, without an exit code', () => {
    const s = Buffer.concat([Buffer.from(`${N}<`), ALL_BYTES, Buffer.from(`${N}>`)]);
    const { parser } = feed(s, [3, 40], false);
    expect(parser.done).toBe(true);
    expect(parser.body().equals(ALL_BYTES)).toBe(true);
  });

  test('is not done until the exit code line is complete', () => {
    const parser = new FrameParser(N, true);
    expect(parser.push(Buffer.from(`${N}<x${N}>12`))).toBe(false);
    expect(parser.push(Buffer.from('7\n'))).toBe(true);
    expect(parser.code).toBe(127);
  });
});

describe('MarkerScanner', () => {
  test('releases bytes as soon as they cannot begin the marker', () => {
    const scanner = new MarkerScanner(Buffer.from('MARK'));
    expect(scanner.push(Buffer.from('abcMA')).body.toString()).toBe('abc');
    expect(scanner.push(Buffer.from('Xyz')).body.toString()).toBe('MAXyz');
    const found = scanner.push(Buffer.from('MARKrest'));
    expect(found.body.toString()).toBe('');
    expect(found.rest?.toString()).toBe('rest');
  });
});

describe('scripts', () => {
  test('nonces differ and never occur in base64 text', () => {
    const a = newNonce();
    expect(a).not.toBe(newNonce());
    expect(a).toMatch(/^R_[0-9a-f]{24}$/);
    expect(/^[A-Za-z0-9+/=]*$/.test(a)).toBe(false);
  });

  test('a command with stdin carries it as a base64 heredoc closed by the nonce', () => {
    const script = commandScript(N, 'cat', '/run/rune/p', Buffer.from('hi'));
    expect(script.endsWith(`\naGk=\n${N}\n`)).toBe(true);
    expect(commandScript(N, 'cat', '/run/rune/p')).toContain('</dev/null &');
  });
});
