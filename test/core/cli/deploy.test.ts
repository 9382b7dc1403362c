import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const K8S_CORE = [
  'Changes to deploy bundle:',
  '- deploy application easyrsa using charm easyrsa',
  '- deploy application etcd using charm etcd',
  '- deploy application flannel using charm flannel',
  '- deploy application kubernetes-master using charm kubernetes-master',
  '- expose application kubernetes-master',
  '- deploy application kubernetes-worker using charm kubernetes-worker',
  '- expose application kubernetes-worker',
  '- add new machine 0',
  '- add new machine 1',
  '- add relation kubernetes-master:kube-api-endpoint - kubernetes-worker:kube-api-endpoint',
  '- add relation kubernetes-master:kube-control - kubernetes-worker:kube-control',
  '- add relation kubernetes-master:certificates - easyrsa:client',
  '- add relation kubernetes-master:etcd - etcd:db',
  '- add relation kubernetes-worker:certificates - easyrsa:client',
  '- add relation etcd:certificates - easyrsa:client',
  '- add relation flannel:etcd - etcd:db',
  '- add relation flannel:cni - kubernetes-master:cni',
  '- add relation flannel:cni - kubernetes-worker:cni',
  '- add unit easyrsa/0 to new machine 0 to satisfy [lxd:0]',
  '- add unit etcd/0 to new machine 0',
  '- add unit kubernetes-master/0 to new machine 0',
  '- add unit kubernetes-worker/0 to new machine 1',
];

describe('rune deploy --dry-run', () => {
  it('plans kubernetes-core, warning about what it ignores', async () => {
    const r = await runCli('deploy', 'bundles/kubernetes-core.yaml', '--dry-run');
    expect(r.err).toEqual([
      "bundles/kubernetes-core.yaml:5:1 series: warning: accepted but ignored: units run on their machine's own base",
      'bundles/kubernetes-core.yaml:16:9 applications.easyrsa.to[0]: warning: placement "lxd:0": this provider has no lxd containers; the unit goes on machine 0 itself',
    ]);
    expect(r.out).toEqual(K8S_CORE);
    expect(r.code).toBe(0);
  });

  it('plans charmed-kubernetes with a machine per unit', async () => {
    const r = await runCli('deploy', 'bundles/charmed-kubernetes.yaml', '--dry-run');
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => l.startsWith('- add unit'))).toEqual([
      '- add unit easyrsa/0 to new machine 0',
      '- add unit etcd/0 to new machine 1',
      '- add unit etcd/1 to new machine 2',
      '- add unit etcd/2 to new machine 3',
      '- add unit kubernetes-master/0 to new machine 4',
      '- add unit kubernetes-master/1 to new machine 5',
      '- add unit kubernetes-worker/0 to new machine 6',
      '- add unit kubernetes-worker/1 to new machine 7',
      '- add unit kubernetes-worker/2 to new machine 8',
    ]);
    expect(r.out.filter((l) => l.startsWith('- add relation'))).toHaveLength(9);
    expect(r.out.filter((l) => l.startsWith('- add new machine'))).toEqual([]);
  });

  it('plans etcd.yaml as the README shows', async () => {
    const r = await runCli('deploy', 'bundles/etcd.yaml', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      'Changes to deploy bundle:',
      '- deploy application easyrsa using charm easyrsa',
      '- deploy application etcd using charm etcd',
      '- add relation etcd:certificates - easyrsa:client',
      '- add unit easyrsa/0 to new machine 0',
      '- add unit etcd/0 to new machine 1',
      '- add unit etcd/1 to new machine 2',
      '- add unit etcd/2 to new machine 3',
    ]);
  });

  it('merges --overlay files in order; charm paths resolve from the overlay file', async () => {
    const dir = 'test/fixtures/bundles/overlays';
    const r = await runCli(
      'deploy',
      `${dir}/base.yaml`,
      '--overlay',
      `${dir}/more/scale.yaml`,
      '--overlay',
      `${dir}/remove-etcd.yaml`,
      '--dry-run',
    );
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toEqual([
      'Changes to deploy bundle:',
      '- deploy application cni-host using charm cni-host',
      '- deploy application easyrsa using charm easyrsa',
      '- add unit cni-host/0 to new machine 0',
      '- add unit easyrsa/0 to new machine 1',
    ]);
  });

  it('prints every error of an invalid bundle, one per line, and exits 1', async () => {
    const file = 'test/fixtures/bundles/invalid/many-errors.yaml';
    const r = await runCli('deploy', file, '--dry-run');
    expect(r.code).toBe(1);
    expect(r.out).toEqual([]);
    const errors = r.err.filter((l) => l.startsWith(file));
    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(r.err.at(-1)).toMatch(/^bundle is invalid: \d+ errors, 0 warnings$/);
  });

  it.each([
    [['deploy'], 'rune: deploy needs a bundle file'],
    [
      ['deploy', 'a.yaml', 'b.yaml'],
      'rune: APP, -n, --to and --config apply to a charm, not a bundle',
    ],
    [['deploy', 'etcd', 'db', 'x'], 'rune: unexpected argument "x"'],
    [
      ['deploy', 'bundles/etcd.yaml', '--dryrun'],
      'rune: unknown flag --dryrun; did you mean --dry-run?',
    ],
    [
      ['deploy', 'bundles/etcd.yaml', '--overlay'],
      "rune: Option '--overlay <value>' argument missing",
    ],
  ])('usage error %j exits 2', async (argv, first) => {
    const r = await runCli(...argv);
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe(first);
    expect(r.err[1]).toMatch(/^usage: rune deploy/);
  });

  it('a missing file is a clear error, exit 1', async () => {
    const r = await runCli('deploy', 'bundles/nope.yaml', '--dry-run');
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['rune: cannot read bundles/nope.yaml: no such file']);
  });

  // How fast is measured in bench/hostile-input.ts; here, the refusal a user sees.
  it('refuses a 50 MB file with its size and the limit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rune-big-'));
    const file = join(dir, 'big.yaml');
    writeFileSync(file, `description: "${'x'.repeat(50 * 1024 * 1024)}"\n`);
    const r = await runCli('deploy', file, '--dry-run');
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe(`${file}:1:1 file is 50.0 MiB; the limit is 10.0 MiB`);
  });

  it("places a charm's unit on existing machine N with --to N, as Juju does", async () => {
    const r = await runCli('deploy', 'etcd', '-n', '2', '--to', '1', '--dry-run');
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.filter((l) => / machine /.test(l))).toEqual([
      '- add unit etcd/0 to existing machine 1',
      '- add unit etcd/1 to new machine 0',
    ]);
  });

  it('refuses a 300-character application name before anything is made', async () => {
    const name = `a${'b'.repeat(299)}`;
    const r = await runCli('deploy', 'etcd', name, '--dry-run');
    expect(r.code).toBe(2);
    expect(r.err[0]).toBe(
      `rune: invalid application name "${name.slice(0, 57)}...": must be at most 50 characters long, not 300`,
    );
  });
});
