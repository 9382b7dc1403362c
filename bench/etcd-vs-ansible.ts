// Issue 5: the same 3-member TLS etcd cluster (fresh CA, RSA 2048, per-node server certs with
// address/hostname/loopback SANs, one client cert, client-cert-auth for clients and peers),
// deployed by Rune (bundles/etcd.yaml) and by an equivalent Ansible playbook
// (bench/ansible/etcd.yml) on fresh local machines, one after the other in one run, each checked
// with the same `etcdctl endpoint health` from the host. Goal: Rune ≥ 5x faster. Needs root.
// RUNE_BENCH_HOSTS=manual runs the pre-made-hosts variant instead (ansible/manual-variant.ts).
import { readdirSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../core/charm/repository.js';
import { ansibleHalf } from './ansible/ansible-half.js';
import { seconds } from './ansible/common.js';
import { runManualVariant } from './ansible/manual-variant.js';
import { runeHalf } from './ansible/rune-half.js';

/**
 * The controller runs from dist/, so a source edit since the last `npm run build` would time
 * old code: say so rather than print a misleading figure.
 */
function staleSources(): string[] {
  const root = packageRoot();
  let built: number;
  try {
    built = statSync(join(root, 'dist', '.tsbuildinfo')).mtimeMs;
  } catch {
    return ['dist/.tsbuildinfo (never built)'];
  }
  return ['core', 'agents', 'charms'].flatMap((top) =>
    readdirSync(join(root, top), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && statSync(join(root, top, f)).mtimeMs > built)
      .map((f) => `${top}/${f}`),
  );
}

const indent = (text: string) =>
  text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

export async function run(): Promise<void> {
  if (process.getuid?.() !== 0) {
    console.log('etcd-vs-ansible needs root (local machines); skipped');
    return;
  }
  const stale = staleSources();
  if (stale.length > 0) {
    console.log(
      `warning: run \`npm run build\` first; newer than dist/: ${stale.slice(0, 3).join(', ')}`,
    );
  }
  const hosts = process.env.RUNE_BENCH_HOSTS ?? 'local';
  if (hosts === 'manual') return runManualVariant();
  if (hosts !== 'local') {
    console.log(`RUNE_BENCH_HOSTS=${hosts}: use local (the default) or manual`);
    return;
  }

  // One after the other, never together: each half gets the whole 2-core host (minus whatever
  // else runs there: the load averages say how busy it was).
  const load = () => loadavg()[0]?.toFixed(2) ?? '?';
  const loadBefore = load();
  const ansible = await ansibleHalf();
  const loadBetween = load();
  const rune = await runeHalf();
  console.log(
    `load average (1 min): ${loadBefore} before, ${loadBetween} between, ${load()} after`,
  );

  if (ansible.ok) {
    const a = ansible.value;
    console.log(`Ansible (${a.version}, forks 10, pipelining, ControlPersist):`);
    console.log(`  3 machines made beforehand          ${seconds(a.machinesMs)} (not timed)`);
    console.log(`  ansible-playbook, CA to healthy     ${seconds(a.playbookMs)}`);
    console.log(indent(a.recap));
    console.log('  etcdctl endpoint health:');
    console.log(indent(a.health));
  } else {
    console.log(`Ansible side failed: ${ansible.reason}`);
  }

  if (rune.ok) {
    const r = rune.value;
    const after = r.machinesMs === undefined ? undefined : r.totalMs - r.machinesMs;
    console.log('Rune (bundles/etcd.yaml: easyrsa + 3 etcd, machines made by the deploy):');
    console.log(`  deploy to healthy, 4 machines incl. ${seconds(r.totalMs)}`);
    if (r.machinesMs !== undefined && after !== undefined) {
      // Hooks start on the first machines while later ones are still being made, so this
      // overlaps: it is a lower bound on what machine-making cost, not a clean split.
      console.log(`    deploy start to last machine up   ${seconds(r.machinesMs)}`);
      console.log(`    last machine up to healthy        ${seconds(after)}`);
    }
    console.log('  etcdctl endpoint health:');
    console.log(indent(r.health));
    if (ansible.ok) {
      const a = ansible.value.playbookMs;
      const total = a / r.totalMs;
      const ready = after === undefined ? 'n/a' : `${(a / after).toFixed(2)}x`;
      // The goal is judged on Rune's total, which also pays for its 4 machines: the stricter.
      console.log(
        `Ansible / Rune: ${total.toFixed(2)}x (Rune incl. its machines), ${ready} (from last ` +
          `machine up); goal ≥ 5x: ${total >= 5 ? 'met' : 'MISSED'}`,
      );
    }
  } else {
    console.log(`Rune side failed: ${rune.reason}`);
  }
  console.log('  (one run on one host; other load on its 2 cores moves these figures)');
}
