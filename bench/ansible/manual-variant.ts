// `RUNE_BENCH_HOSTS=manual npm run bench -- etcd-vs-ansible` (issue 16 item 8): both halves on
// the same kind of pre-made hosts (hosts.ts), made outside the timing; Rune adds them with the
// manual provider. RUNE_BENCH_RUNS runs (default 5), the halves' order alternating, each half on
// hosts of its own; prints each run, the median ratio and where Rune's time went.
import { loadavg } from 'node:os';
import { ansibleVersion, playbookOn } from './ansible-half.js';
import type { Breakdown } from './breakdown.js';
import { type Half, seconds } from './common.js';
import { type Hosts, makeHosts } from './hosts.js';
import { RUNE_HOSTS, type RuneManualFigures, runeManualHalf } from './rune-manual-half.js';

interface RunFigures {
  first: 'ansible' | 'rune';
  ansibleMs: number;
  rune: RuneManualFigures;
  load: string;
}

const load = () => loadavg()[0]?.toFixed(2) ?? '?';

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/** Makes the hosts, runs the half on them, removes them whatever happened. */
async function onHosts<T>(
  count: number,
  label: string,
  half: (h: Hosts) => Promise<Half<T>>,
): Promise<Half<T>> {
  let hosts: Hosts | undefined;
  try {
    hosts = await makeHosts(count, label);
    return await half(hosts);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    await hosts?.destroy();
  }
}

export function describeBreakdown(b: Breakdown): string[] {
  const ms = (n: number) => `${Math.round(n)} ms`;
  const controller =
    b.toReceivedMs === undefined
      ? ''
      : ` (controller received the deploy at ${ms(b.toReceivedMs)}` +
        `${b.toAppliedMs === undefined ? '' : `, applied it at ${ms(b.toAppliedMs)}`})`;
  const names = b.byName
    .slice(0, 6)
    .map((n) => `${n.hook} ${n.count}x ${ms(n.sumMs)} (max ${ms(n.maxMs)})`);
  return [
    `command → first hook   ${ms(b.toFirstHookMs)}${controller}`,
    `hooks                  ${b.hooks} run, ${ms(b.hookSumMs)} summed; first start → last end: ` +
      `${ms(b.hookBusyMs)} with a hook running, ${ms(b.hookIdleMs)} with none`,
    `critical path          ${ms(b.criticalPath.reduce((sum, h) => sum + h.ms, 0))} in ` +
      `${b.criticalPath.length} hooks: ` +
      b.criticalPath
        .filter((h) => h.ms >= 50)
        .map((h) => `${h.unit} ${h.hook} ${ms(h.ms)}`)
        .join(' → ') +
      ' (hooks under 50 ms left out)',
    `last hook → healthy    ${ms(b.afterLastHookMs)}`,
    `by name (sum)          ${names.join(', ')}`,
    `slowest                ${b.slowest.map((h) => `${h.unit} ${h.hook} ${ms(h.ms)}`).join(', ')}`,
  ];
}

export async function runManualVariant(): Promise<void> {
  const runs = Number(process.env.RUNE_BENCH_RUNS ?? '5');
  const version = await ansibleVersion();
  if (!version.ok) {
    console.log(`Ansible side failed: ${version.reason}`);
    return;
  }
  console.log(
    `manual-provider variant: ${runs} runs; each half on fresh pre-made hosts (local machines, ` +
      `this host's packages incl. etcd), Rune ${RUNE_HOSTS} hosts added with add-machine ` +
      `ssh:root@ADDR, Ansible 3 (its CA on the control node); ${version.value}`,
  );
  const done: RunFigures[] = [];
  for (let i = 0; i < runs; i++) {
    const first = i % 2 === 0 ? 'ansible' : 'rune';
    const before = load();
    const doAnsible = () =>
      onHosts(3, 'ansible', async (h): Promise<Half<number>> => {
        const f = await playbookOn(h, version.value);
        return { ok: true, value: f.playbookMs };
      });
    const doRune = () => onHosts(RUNE_HOSTS, 'rune', runeManualHalf);
    let ansible: Half<number>;
    let rune: Half<RuneManualFigures>;
    if (first === 'ansible') {
      ansible = await doAnsible();
      rune = await doRune();
    } else {
      rune = await doRune();
      ansible = await doAnsible();
    }
    const l = `${before}→${load()}`;
    if (!ansible.ok || !rune.ok) {
      console.log(`run ${i + 1}: failed`);
      if (!ansible.ok) console.log(`  Ansible: ${ansible.reason}`);
      if (!rune.ok) console.log(`  Rune: ${rune.reason}`);
      continue;
    }
    const r = rune.value;
    done.push({ first, ansibleMs: ansible.value, rune: r, load: l });
    console.log(
      `run ${i + 1} (${first} first, load ${l}): Ansible ${seconds(ansible.value)}, Rune ` +
        `${seconds(r.totalMs)} (deploy --wait ${seconds(r.deployMs)}), ` +
        `${(ansible.value / r.totalMs).toFixed(2)}x`,
    );
    for (const line of describeBreakdown(r.breakdown)) console.log(`    ${line}`);
  }
  if (done.length === 0) return;
  console.log('| run | first | load (1 min) | Ansible | Rune | ratio |');
  console.log('|---|---|---|---|---|---|');
  done.forEach((d, i) =>
    console.log(
      `| ${i + 1} | ${d.first} | ${d.load} | ${seconds(d.ansibleMs)} | ${seconds(d.rune.totalMs)} ` +
        `| ${(d.ansibleMs / d.rune.totalMs).toFixed(2)}x |`,
    ),
  );
  const ratio = median(done.map((d) => d.ansibleMs / d.rune.totalMs));
  const b = (f: (x: Breakdown) => number) =>
    `${Math.round(median(done.map((d) => f(d.rune.breakdown))))} ms`;
  console.log(
    `median: Ansible ${seconds(median(done.map((d) => d.ansibleMs)))}, Rune ` +
      `${seconds(median(done.map((d) => d.rune.totalMs)))}, ratio ${ratio.toFixed(2)}x; ` +
      `goal ≥ 5x: ${ratio >= 5 ? 'met' : 'MISSED'} (${done.length} of ${runs} runs completed)`,
  );
  console.log(
    `Rune medians: command → first hook ${b((x) => x.toFirstHookMs)}, hooks running ` +
      `${b((x) => x.hookBusyMs)}, none running ${b((x) => x.hookIdleMs)}, last hook → healthy ` +
      `${b((x) => x.afterLastHookMs)}`,
  );
}
