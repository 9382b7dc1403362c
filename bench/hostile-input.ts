// Issue 2's bad-input goal: a YAML alias bomb and a 50 MB file are each refused in < 1 s.
// Times both through parseBundle beside a normal bundle's parse, so the ratio shows that
// refusing hostile input costs no more than reading an ordinary file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBundle } from '../core/bundle/index.js';
import { packageRoot } from '../core/charm/repository.js';

const RUNS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Nine levels of nine aliases each: 9^10 nodes if expanded. */
export function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++)
    lines.push(
      `a${i}: &a${i} [${Array(9)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

function time(text: string): { ms: number; message: string } {
  const runs = Array.from({ length: RUNS }, () => {
    const t = performance.now();
    const parsed = parseBundle([{ file: 'input.yaml', text }]);
    return { ms: performance.now() - t, message: parsed.diagnostics[0]?.message ?? 'accepted' };
  });
  return { ms: median(runs.map((r) => r.ms)), message: runs[0]?.message ?? '' };
}

export function run(): void {
  const normal = time(readFileSync(join(packageRoot(), 'bundles', 'kubernetes-core.yaml'), 'utf8'));
  const bomb = time(aliasBomb());
  const huge = time(`description: "${'x'.repeat(50 * 1024 * 1024)}"\n`);
  const verdict = (ms: number) => (ms < 1000 ? 'met' : 'MISSED');
  console.log(`median of ${RUNS} runs of parseBundle:`);
  console.log(`  kubernetes-core.yaml  ${normal.ms.toFixed(2)} ms   (${normal.message})`);
  console.log(
    `  alias bomb            ${bomb.ms.toFixed(2)} ms   (${(bomb.ms / normal.ms).toFixed(1)}x; goal < 1000 ms: ${verdict(bomb.ms)}) "${bomb.message}"`,
  );
  console.log(
    `  50 MB file            ${huge.ms.toFixed(2)} ms   (${(huge.ms / normal.ms).toFixed(1)}x; goal < 1000 ms: ${verdict(huge.ms)}) "${huge.message}"`,
  );
  console.log('  (figures from one machine; other load on its 2 cores moves them)');
}
