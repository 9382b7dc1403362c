// The Ansible half: three hosts made beforehand (hosts.ts: fresh local machines, before the timer
// starts), then `ansible-playbook bench/ansible/etcd.yml` timed wall clock, as an operator would
// run it: forks 10, pipelining and SSH ControlPersist on.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../core/charm/repository.js';
import { etcdHealth, type Half, runCommand, tail } from './common.js';
import { type Hosts, makeHosts } from './hosts.js';

export interface AnsibleFigures {
  version: string;
  machinesMs: number;
  playbookMs: number;
  recap: string;
  health: string;
}

/** Debian's ansible, installed when missing (the bench runs as root; the mirror is offline). */
async function ensureAnsible(): Promise<string> {
  const have = async () => await runCommand('ansible-playbook', ['--version']).catch(() => null);
  let v = await have();
  if (v?.code !== 0) {
    console.log('ansible-playbook not found: apt-get install -y ansible');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = await runCommand('apt-get', ['install', '-y', 'ansible'], { env });
    if (r.code !== 0) {
      await runCommand('apt-get', ['update'], { env });
      r = await runCommand('apt-get', ['install', '-y', 'ansible'], { env });
    }
    if (r.code !== 0) throw new Error(`apt-get install ansible failed:\n${tail(r.stderr, 5)}`);
    v = await have();
  }
  if (v?.code !== 0) throw new Error('ansible-playbook still missing after apt-get install');
  return v.stdout.toString('utf8').split('\n')[0]?.trim() ?? 'ansible';
}

/**
 * ansible.cfg: forks, no host key checking, pipelining; ssh_args are Ansible's defaults plus a
 * throwaway known_hosts, so root's own is not filled with addresses that come and go.
 */
function ansibleCfg(dir: string): string {
  return [
    '[defaults]',
    'forks = 10',
    'host_key_checking = False',
    'retry_files_enabled = False',
    'nocows = 1',
    `inventory = ${join(dir, 'inventory.ini')}`,
    '[ssh_connection]',
    'pipelining = True',
    'ssh_args = -C -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=/dev/null',
    `control_path_dir = ${join(dir, 'cp')}`,
    '',
  ].join('\n');
}

function inventory(addresses: string[], key: string): string {
  return [
    '[etcd]',
    ...addresses.map((a, i) => `etcd-${i} ansible_host=${a}`),
    '[etcd:vars]',
    'ansible_user=root',
    `ansible_ssh_private_key_file=${key}`,
    // Saves interpreter discovery, as operators with a known fleet do: fair to Ansible.
    'ansible_python_interpreter=/usr/bin/python3',
    '',
  ].join('\n');
}

/** ansible-playbook on hosts made beforehand, timed as a whole process from its command. */
export async function playbookOn(
  hosts: Hosts,
  version: string,
): Promise<Omit<AnsibleFigures, 'machinesMs'>> {
  const { dir, addresses } = hosts;
  const certs = join(dir, 'pki');
  mkdirSync(certs, { mode: 0o700 });
  mkdirSync(join(dir, 'cp'), { mode: 0o700 });
  writeFileSync(join(dir, 'ansible.cfg'), ansibleCfg(dir));
  writeFileSync(join(dir, 'inventory.ini'), inventory(addresses, hosts.keyFile));
  const playbook = join(packageRoot(), 'bench', 'ansible', 'etcd.yml');
  if (!existsSync(playbook)) throw new Error(`${playbook} is missing`);
  const env = { ...process.env, ANSIBLE_CONFIG: join(dir, 'ansible.cfg') };
  const r = await runCommand('ansible-playbook', [playbook, '-e', `certs_dir=${certs}`], {
    env,
    cwd: dir,
  });
  const out = r.stdout.toString('utf8');
  writeFileSync(join(dir, 'playbook.log'), out);
  if (r.code !== 0) {
    throw new Error(`ansible-playbook exited ${r.code}:\n${tail(`${out}\n${r.stderr}`, 15)}`);
  }
  const recap = out.slice(out.indexOf('PLAY RECAP')).trim();
  const health = await etcdHealth(addresses, certs);
  return { version, playbookMs: r.ms, recap, health };
}

/** Debian's ansible (installed when missing), as a Half's failure rather than a throw. */
export async function ansibleVersion(): Promise<Half<string>> {
  try {
    return { ok: true, value: await ensureAnsible() };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** The local variant: three fresh local machines, then the playbook. */
export async function ansibleHalf(): Promise<Half<AnsibleFigures>> {
  const version = await ansibleVersion();
  if (!version.ok) return version;
  let hosts: Hosts | undefined;
  try {
    hosts = await makeHosts(3, 'ansible');
    const figures = await playbookOn(hosts, version.value);
    return { ok: true, value: { ...figures, machinesMs: hosts.madeMs } };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    // Destroying the machines kills etcd and sshd with them; Ansible's ControlPersist masters
    // then lose their peers and exit on their own.
    await hosts?.destroy();
  }
}
