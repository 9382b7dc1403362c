// charms/lib's pure helpers shared by the Kubernetes charms: the YAML writer, CIDR arithmetic,
// extra-args parsing, and that a charm importing ../lib bundles with Rune's loader.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadCharmModule } from '../../../core/charm/index.js';
import { hostAddress, parseIpv4Cidr } from '../../../charms/lib/cidr.js';
import { parseExtraArgs, renderFlags } from '../../../charms/lib/flags.js';
import { renderKubeconfig } from '../../../charms/lib/kubeconfig.js';
import { type YamlValue, toYaml } from '../../../charms/lib/yaml.js';

describe('toYaml', () => {
  it('writes what a YAML reader reads back unchanged, quoting only where it must', () => {
    const doc: YamlValue = {
      plain: 'https://10.0.0.1:6443',
      reserved: ['true', 'no', 'null', '~', '1.21', '0755', ''],
      tricky: ['a: b', '#x', '- y', "it's", 'two\nlines', 'ends:', '*alias', '{x}'],
      nested: { list: [{ a: 1, b: [true, false] }, []], empty: {} },
      'key with space': null,
    };
    const text = toYaml(doc);
    expect(parse(text)).toEqual(doc);
    expect(text).toContain('plain: https://10.0.0.1:6443\n');
  });
});

const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));

describe('a rendered kubeconfig', () => {
  it('is read by the real `kubectl config view`', () => {
    // test/integration/global-setup.ts installs Debian's kubernetes-client when it is missing.
    if (kubectl === undefined)
      throw new Error('kubectl not found: apt-get install kubernetes-client');
    const file = join(mkdtempSync(join(tmpdir(), 'rune-kubeconfig-')), 'config');
    const caPem = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    writeFileSync(
      file,
      renderKubeconfig({ server: 'https://10.0.0.10:6443', user: 'admin', token: '0123', caPem }),
    );
    const query = '{.clusters[0].cluster.server} {.users[0].user.token} {.current-context}';
    const out = execFileSync(kubectl ?? 'kubectl', [
      'config',
      'view',
      `--kubeconfig=${file}`,
      '--raw',
      `-o=jsonpath=${query}`,
    ]).toString();
    expect(out).toBe('https://10.0.0.10:6443 0123 juju-context');
  });
});

describe('CIDRs', () => {
  it('parses IPv4 CIDRs and computes host addresses from the network', () => {
    const cidr = parseIpv4Cidr('10.152.183.0/24');
    expect(cidr && hostAddress(cidr, 1)).toBe('10.152.183.1');
    expect(cidr && hostAddress(cidr, 10)).toBe('10.152.183.10');
    const loose = parseIpv4Cidr(' 10.152.183.77/16 ');
    expect(loose?.text).toBe('10.152.0.0/16');
    expect(loose && hostAddress(loose, 1)).toBe('10.152.0.1');
    for (const bad of ['10.1.0.0', '10.1.0.0/33', '256.1.0.0/16', 'x/8', '10.1.0/16']) {
      expect(parseIpv4Cidr(bad)).toBeUndefined();
    }
  });
});

describe('extra args', () => {
  it('reads key=value and bare flags; the operator wins over the charm', () => {
    const { flags, problems } = parseExtraArgs(' v=4  --profiling feature-gates=A=true,B=false ');
    expect(problems).toEqual([]);
    expect(renderFlags({ v: '2', 'bind-address': '0.0.0.0' }, flags)).toEqual([
      '--bind-address=0.0.0.0',
      '--feature-gates=A=true,B=false',
      '--profiling=true',
      '--v=4',
    ]);
    expect(parseExtraArgs('=x ok=1 $(rm)').problems).toEqual(['"=x"', '"$(rm)"']);
  });
});

describe('bundling', () => {
  it.each(['flannel', 'kubernetes-master', 'kubernetes-worker'])(
    '%s, which imports ../lib, loads with the charm loader',
    async (name) => {
      const dir = fileURLToPath(new URL(`../../../charms/${name}/`, import.meta.url));
      const cache = mkdtempSync(join(tmpdir(), 'rune-charm-cache-'));
      const module = await loadCharmModule(dir, cache);
      expect(module.kind).toBe('rune-charm');
    },
  );
});
