// The CLI run in the bench's own process, its output gathered: what the benches that drive a
// real controller (k8s-workers, rolling-restart) call `rune` with.
import { main } from '../core/cli/main.js';

export async function rune(...argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => out.push(l),
    outRaw: (c) => out.push(c.toString('utf8')),
    errRaw: () => undefined,
  });
  return { code, out: out.join('\n') };
}
