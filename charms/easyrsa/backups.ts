// The backup, list-backups and restore actions. An archive holds the CA, the shared client
// certificate and every certificate published to related applications, private keys included:
// it is made under umask 077, staged files are 0600 and removed, and no key reaches a result.
import { X509Certificate } from 'node:crypto';
import type { HookContext, WriteBag } from 'rune/charm';
import {
  CA_CERT,
  CA_KEY,
  CLIENT_CERT,
  CLIENT_KEY,
  ensureClient,
  readCa,
  writeAuthority,
} from './authority.js';
import { checkCertificateAuthority, signedBy } from './pki.js';
import { ENDPOINT, isUnitCertKey } from './requests.js';

/** Under /var/lib, not a home folder: Debian hosts have no `ubuntu` user, and root runs hooks. */
export const BACKUP_DIR = '/var/lib/easyrsa/backups';
const STAGING = '/var/lib/easyrsa/backup-staging';
const UNPACKED = '/var/lib/easyrsa/restore-staging';
/** Published certificates by related application (relation ids do not survive a rebuild). */
const ISSUED = 'issued.json';
const FILES = [CA_CERT, CA_KEY, CLIENT_CERT, CLIENT_KEY, ISSUED];
// The machine's clock names the archive, so names sort by age and the harness can answer.
const ARCHIVE = /^easyrsa-backup-[0-9]{8}-[0-9]{6}\.tar\.gz$/;

type Issued = Record<string, Record<string, string>>;

export async function backup(ctx: HookContext): Promise<void> {
  const ca = readCa(ctx.leaderSettings);
  if (ca === undefined) {
    return ctx.action?.fail('there is no CA to back up yet: the leader has not created it');
  }
  // The leader makes the shared client certificate here if it has not yet (it comes after a
  // burst of server certificates): an archive always holds a complete authority.
  const { client } = await ensureClient(ctx.leaderSettings, ca, ctx.isLeader);
  if (client === undefined) {
    return ctx.action?.fail(
      'the leader has not made the shared client certificate yet; run the backup again shortly',
    );
  }
  const authority = { ca, client };
  const issued: Issued = {};
  for (const rel of ctx.relations(ENDPOINT)) {
    const certs = Object.entries(rel.app.toObject()).filter(([key]) => isUnitCertKey(key));
    if (certs.length > 0) issued[rel.remoteAppName] = Object.fromEntries(certs);
  }
  const contents: Record<string, string> = {
    [CA_CERT]: authority.ca.cert,
    [CA_KEY]: authority.ca.key,
    [CLIENT_CERT]: authority.client.cert,
    [CLIENT_KEY]: authority.client.key,
    [ISSUED]: `${JSON.stringify(issued, null, 2)}\n`,
  };
  for (const file of FILES) {
    await ctx.machine.writeFile(`${STAGING}/${file}`, contents[file] ?? '', { mode: 0o600 });
  }
  // One command, so the staged keys are removed whether tar succeeds or not.
  const made = await ctx.machine.run(
    `umask 077; mkdir -p ${BACKUP_DIR} && ` +
      `name=easyrsa-backup-$(date -u +%Y%m%d-%H%M%S).tar.gz && ` +
      `tar -czf ${BACKUP_DIR}/$name -C ${STAGING} ${FILES.join(' ')}; ` +
      `code=$?; rm -rf ${STAGING}; [ $code -eq 0 ] && echo $name; exit $code`,
  );
  const name = made.stdout.toString('utf8').trim();
  if (made.code !== 0 || !ARCHIVE.test(name)) {
    return ctx.action?.fail(`the archive could not be written: ${lastLine(made.stderr)}`);
  }
  ctx.action?.setResult('name', name);
  ctx.action?.setResult('path', `${BACKUP_DIR}/${name}`);
  ctx.action?.setResult('ca-fingerprint', fingerprint(authority.ca.cert));
}

export async function listBackups(ctx: HookContext): Promise<void> {
  const names = await archives(ctx);
  ctx.action?.setResult('backups', names.join('\n'));
  ctx.action?.setResult('count', String(names.length));
}

/**
 * Puts the archive's CA and client certificate in leader settings and its certificates back in
 * the bags, then reconciles: what the archive answers stays as it was at backup time, the rest
 * (units that came since, requests that changed) is signed afresh by the restored CA.
 */
export async function restore(ctx: HookContext, reconcile: () => Promise<void>): Promise<void> {
  if (!ctx.isLeader) {
    return ctx.action?.fail(
      `restore runs on the leader only, and ${ctx.unit} is not the leader: ` +
        'only the leader may replace the CA every unit shares',
    );
  }
  const param = ctx.action?.params['name'];
  const name = typeof param === 'string' ? param : '';
  if (!ARCHIVE.test(name)) {
    return ctx.action?.fail(
      `${JSON.stringify(name)} is not a backup name; list-backups shows the names`,
    );
  }
  if (!(await archives(ctx)).includes(name)) {
    return ctx.action?.fail(`there is no backup named ${name} in ${BACKUP_DIR}`);
  }
  const unpacked = await ctx.machine.run(
    `umask 077; rm -rf ${UNPACKED} && mkdir -p ${UNPACKED} && ` +
      `tar -xzf ${BACKUP_DIR}/${name} -C ${UNPACKED} ${FILES.join(' ')}`,
  );
  let files: Record<string, string>;
  try {
    if (unpacked.code !== 0) {
      return ctx.action?.fail(`${name} could not be unpacked: ${lastLine(unpacked.stderr)}`);
    }
    files = {};
    for (const file of FILES) {
      files[file] = (await ctx.machine.readFile(`${UNPACKED}/${file}`)).toString('utf8');
    }
  } finally {
    await ctx.machine.run(`rm -rf ${UNPACKED}`);
  }
  const problem = archiveProblem(files);
  if (problem !== undefined) return ctx.action?.fail(`${name} cannot be restored: ${problem}`);
  const authority = {
    ca: { cert: files[CA_CERT] ?? '', key: files[CA_KEY] ?? '' },
    client: { cert: files[CLIENT_CERT] ?? '', key: files[CLIENT_KEY] ?? '' },
  };
  writeAuthority(ctx.leaderSettings, authority);
  const issued = parseIssued(files[ISSUED] ?? '') ?? {};
  for (const rel of ctx.relations(ENDPOINT)) restoreInto(rel.app, issued[rel.remoteAppName] ?? {});
  ctx.log.info(`restored the CA from ${name}`);
  await reconcile();
  ctx.action?.setResult('restored', name);
  ctx.action?.setResult('ca-fingerprint', fingerprint(authority.ca.cert));
}

/** Archive names on the unit, newest first. */
async function archives(ctx: HookContext): Promise<string[]> {
  // No folder yet simply means no backup yet.
  const listed = await ctx.machine.run(`ls -1 ${BACKUP_DIR} 2>/dev/null || true`);
  return listed.stdout
    .toString('utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => ARCHIVE.test(line))
    .sort()
    .reverse();
}

function restoreInto(bag: WriteBag, certs: Record<string, string>): void {
  // Certificates the archive lacks are dropped too: reconcile signs them anew for who asks.
  for (const key of bag.keys()) if (isUnitCertKey(key)) bag.delete(key);
  for (const [key, value] of Object.entries(certs)) if (isUnitCertKey(key)) bag.set(key, value);
}

function archiveProblem(files: Record<string, string>): string | undefined {
  const ca = { cert: files[CA_CERT] ?? '', key: files[CA_KEY] ?? '' };
  try {
    checkCertificateAuthority(ca);
  } catch (error) {
    // pki's messages name the part that is wrong and never quote key material.
    return error instanceof Error ? error.message : 'the CA is unreadable';
  }
  if (!signedBy(files[CLIENT_CERT] ?? '', ca.cert)) {
    return 'its client certificate is not from its CA';
  }
  if (parseIssued(files[ISSUED] ?? '') === undefined) {
    return `${ISSUED} is not a JSON object of application → key → certificate`;
  }
  return undefined;
}

function parseIssued(text: string): Issued | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be a private key.
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const out: Issued = {};
  for (const [app, certs] of Object.entries(value)) {
    if (!isObject(certs)) return undefined;
    const entries = Object.entries(certs);
    if (!entries.every(([, v]) => typeof v === 'string')) return undefined;
    out[app] = Object.fromEntries(entries) as Record<string, string>;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

function lastLine(output: Buffer): string {
  const lines = output.toString('utf8').trim().split('\n');
  return lines[lines.length - 1] || 'no error output';
}
