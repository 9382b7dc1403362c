// Issue 2's start-up goal: `rune --help` in < 300 ms. Times the built CLI against a bare
// `node -e 0` in the same run, so the ratio shows what Rune itself adds to Node's start.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../core/charm/repository.js';

const RUNS = 15;

function time(args: string[]): number[] {
  return Array.from({ length: RUNS }, () => {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
    return performance.now() - t;
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export function run(): void {
  const cli = join(packageRoot(), 'dist', 'core', 'cli', 'rune.js');
  const bare = median(time(['-e', '0']));
  const help = median(time([cli, '--help']));
  const dry = median(
    time([cli, 'deploy', join(packageRoot(), 'bundles', 'kubernetes-core.yaml'), '--dry-run']),
  );
  console.log(`median of ${RUNS} runs:`);
  console.log(`  node -e 0                       ${bare.toFixed(0)} ms`);
  console.log(
    `  rune --help                     ${help.toFixed(0)} ms   (${(help / bare).toFixed(2)}x bare node; goal < 300 ms: ${help < 300 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `  rune deploy k8s-core --dry-run  ${dry.toFixed(0)} ms   (${(dry / bare).toFixed(2)}x bare node)`,
  );
  console.log('  (figures from one machine; other load on its 2 cores moves them)');
}
