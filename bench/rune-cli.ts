// The CLI run in the bench's own process, its output gathered: what the benches that drive a
// real controller (k8s-workers, rolling-restart) call `rune` with.
import { rmSync } from 'node:fs';
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

/** A bench's controller gone with its RUNE_HOME, and the caller's RUNE_HOME put back. */
export async function destroyBenchController(
  name: string,
  home: string,
  previousHome: string | undefined,
): Promise<void> {
  const r = await rune('destroy-controller', name, '--yes');
  if (r.code !== 0) console.error(`cleanup: destroy-controller: ${r.out.slice(-300)}`);
  if (previousHome === undefined) delete process.env.RUNE_HOME;
  else process.env.RUNE_HOME = previousHome;
  rmSync(home, { recursive: true, force: true });
}
