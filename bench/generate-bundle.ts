// A large synthetic bundle built from the shipped charms, for the scale benchmark: N
// applications of etcd, easyrsa and kubernetes-master, declared machines, and relations.

export interface BundleSize {
  applications: number;
  unitsPerApplication: number;
  machines: number;
  relations: number;
}

export const ISSUE_2_SIZE: BundleSize = {
  applications: 1000,
  unitsPerApplication: 10,
  machines: 2000,
  relations: 3000,
};

/** Half etcd, a quarter easyrsa, a quarter kubernetes-master; relations cycle through the
 * compatible pairs (master→etcd, master→easyrsa, etcd→easyrsa) so none repeats. */
export function generateBundle(size: BundleSize): string {
  const etcd = Math.floor(size.applications / 2);
  const easyrsa = Math.floor(size.applications / 4);
  const masters = size.applications - etcd - easyrsa;
  const lines: string[] = ['description: generated for the bundle-scale benchmark', 'machines:'];
  for (let m = 0; m < size.machines; m++) {
    lines.push(`  "${m}":`, `    constraints: cores=2 mem=${(m % 8) + 1}G root-disk=16G`);
  }
  lines.push('applications:');
  const perApp = Math.ceil(size.machines / size.applications);
  let machine = 0;
  const app = (name: string, charm: string, options: string[]) => {
    lines.push(`  ${name}:`, `    charm: ${charm}`, `    num_units: ${size.unitsPerApplication}`);
    const to: string[] = [];
    for (let i = 0; i < perApp && machine < size.machines && i < size.unitsPerApplication; i++) {
      to.push(i % 2 === 0 ? `"${machine++}"` : `lxd:${machine++}`);
    }
    if (to.length > 0) lines.push(`    to: [${to.join(', ')}]`);
    if (options.length > 0) lines.push('    options:', ...options.map((o) => `      ${o}`));
  };
  for (let i = 0; i < etcd; i++)
    app(`etcd-a${i}`, 'etcd', ['port: 2379', `heartbeat_interval: ${100 + (i % 50)}`]);
  for (let i = 0; i < easyrsa; i++) app(`easyrsa-a${i}`, 'cs:~containers/easyrsa-420', []);
  for (let i = 0; i < masters; i++)
    app(`master-a${i}`, 'ch:kubernetes-master', ['authorization-mode: Node,RBAC']);
  lines.push('relations:');
  let count = 0;
  const rel = (a: string, b: string) => {
    if (count++ < size.relations) lines.push(`  - [${a}, ${b}]`);
  };
  for (let round = 0; count < size.relations; round++) {
    for (let i = 0; i < masters && count < size.relations; i++) {
      rel(`master-a${i}:etcd`, `etcd-a${(i + round * 251) % etcd}:db`);
    }
    for (let i = 0; i < etcd && count < size.relations; i++) {
      rel(`etcd-a${i}:certificates`, `easyrsa-a${(i + round) % easyrsa}:client`);
    }
    for (let i = 0; i < masters && count < size.relations; i++) {
      rel(`master-a${i}:certificates`, `easyrsa-a${(i + round) % easyrsa}:client`);
    }
  }
  return `${lines.join('\n')}\n`;
}
