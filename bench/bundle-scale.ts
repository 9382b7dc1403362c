// Issue 2's scale goal: a bundle of 1,000 applications, 10,000 units, 2,000 declared machines
// and 3,000 relations parses, validates and plans in < 1 s and < 300 MB RSS. Prints each phase,
// and beside it the yaml library's own parse (no positions) as the baseline for our parser.
import { parse as plainParse } from 'yaml';
import { parseBundle, resolveCharms, validateBundle } from '../core/bundle/index.js';
import { CharmRepository } from '../core/charm/repository.js';
import { EMPTY_MODEL } from '../core/model/types.js';
import { plan } from '../core/planner/index.js';
import { generateBundle, ISSUE_2_SIZE } from './generate-bundle.js';

const RUNS = 5;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function once(text: string) {
  const t0 = performance.now();
  const parsed = parseBundle([{ file: 'generated.yaml', text }]);
  const t1 = performance.now();
  if (!parsed.root) throw new Error('generated bundle did not parse');
  const repository = new CharmRepository();
  const charms = resolveCharms(parsed.root, (ref, dir) => repository.resolve(ref, dir));
  const result = validateBundle(parsed.root, charms, { containers: false });
  const t2 = performance.now();
  if (!result.bundle) {
    throw new Error(
      `generated bundle is invalid: ${result.diagnostics
        .slice(0, 3)
        .map((d) => d.message)
        .join('; ')}`,
    );
  }
  const changes = plan(result.bundle, EMPTY_MODEL);
  const t3 = performance.now();
  return {
    parse: t1 - t0,
    validate: t2 - t1,
    plan: t3 - t2,
    total: t3 - t0,
    changes: changes.length,
    warnings: result.diagnostics.length,
    bundle: result.bundle,
  };
}

export function run(): void {
  const text = generateBundle(ISSUE_2_SIZE);
  const rssBefore = process.memoryUsage().rss;
  const runs = Array.from({ length: RUNS }, () => once(text));
  const baseline = Array.from({ length: RUNS }, () => {
    const t = performance.now();
    plainParse(text, { maxAliasCount: -1 });
    return performance.now() - t;
  });
  const first = runs[0];
  if (!first) return;
  const units = first.bundle.applications.reduce((n, a) => n + a.numUnits, 0);
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const m = (key: 'parse' | 'validate' | 'plan' | 'total') => median(runs.map((r) => r[key]));
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  console.log(
    `bundle: ${(text.length / 1024).toFixed(0)} KiB, ${first.bundle.applications.length} applications, ${units} units, ${first.bundle.machines.length} declared machines, ${first.bundle.relations.length} relations`,
  );
  console.log(
    `plan: ${first.changes} changes, ${first.warnings} warnings (lxd placements on the local provider)`,
  );
  console.log(
    `median of ${RUNS} runs (first run ${first.total.toFixed(0)} ms, includes JIT warm-up):`,
  );
  console.log(
    `  parse    ${m('parse').toFixed(1)} ms   (yaml.parse without positions: ${median(baseline).toFixed(1)} ms; ratio ${(m('parse') / median(baseline)).toFixed(2)}x)`,
  );
  console.log(`  validate ${m('validate').toFixed(1)} ms`);
  console.log(`  plan     ${m('plan').toFixed(1)} ms`);
  console.log(
    `  total    ${m('total').toFixed(1)} ms   (goal < 1000 ms: ${m('total') < 1000 ? 'met' : 'MISSED'}; first run ${first.total < 1000 ? 'met' : 'MISSED'} too)`,
  );
  console.log(
    `  RSS      peak ${mb(peakRss)}, at start ${mb(rssBefore)}   (goal < 300 MB: ${peakRss < 300 * 1024 * 1024 ? 'met' : 'MISSED'})`,
  );
  console.log('  (figures from one machine; other load on its 2 cores moves them)');
}
