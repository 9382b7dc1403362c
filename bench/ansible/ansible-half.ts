// The Ansible half: three fresh local machines (made with Rune's LocalProvider under a throwaway
// controller id, before the timer starts), then `ansible-playbook bench/ansible/etcd.yml` timed
// wall clock, as an operator would run it: forks 10, pipelining and SSH ControlPersist on.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalProvider } from '../../agents/providers/local/local-provider.js';
import { packageRoot } from '../../core/charm/repository.js';
import { etcdHealth, type Half, runCommand, tail } from './common.js';

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

export async function ansibleHalf(): Promise<Half<AnsibleFigures>> {
  let version: string;
  try {
    version = await ensureAnsible();
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  // The LocalProvider's state dir may hold no colons or spaces; mkdtemp under /tmp has none.
  const dir = mkdtempSync(join(tmpdir(), 'rune-bench-ansible-'));
  const certs = join(dir, 'pki');
  const key = join(dir, 'id_ed25519');
  let provider: LocalProvider | undefined;
  try {
    mkdirSync(certs, { mode: 0o700 });
    mkdirSync(join(dir, 'cp'), { mode: 0o700 });
    const kg = await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    if (kg.code !== 0) throw new Error(`ssh-keygen failed: ${kg.stderr}`);
    provider = new LocalProvider({
      controllerId: randomBytes(3).toString('hex'),
      stateDir: join(dir, 'state'),
      authorizedKey: readFileSync(`${key}.pub`, 'utf8'),
    });
    const t = performance.now();
    const addresses: string[] = [];
    for (const id of ['0', '1', '2']) addresses.push((await provider.create(id)).address);
    const machinesMs = performance.now() - t;

    writeFileSync(join(dir, 'ansible.cfg'), ansibleCfg(dir));
    writeFileSync(join(dir, 'inventory.ini'), inventory(addresses, key));
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
    return { ok: true, value: { version, machinesMs, playbookMs: r.ms, recap, health } };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    // Destroying the machines kills etcd and sshd with them; Ansible's ControlPersist masters
    // then lose their peers and exit on their own.
    await provider?.destroyAll().catch((e: unknown) => console.error('cleanup:', e));
    rmSync(dir, { recursive: true, force: true });
  }
}
