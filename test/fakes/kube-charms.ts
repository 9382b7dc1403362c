// FAKE facts for the Kubernetes charms' harness tests: PEM-shaped placeholders, apt and snapd
// answers, attached resources, and the databag validator. What it does NOT model: real
// certificates or keys (the PEMs hold no key material and no parser would accept them), apt's
// full output (only the Installed/Candidate lines charms read), snapd beyond its probe, and what
// installing a file does on a machine (the fake machine only answers the command).
import type { RunAnswer } from '../../core/charm/index.js';
import { schemaValidateWrite } from '../../core/interfaces/index.js';
import { SNAPD_PROBE, aptProbeCommand, installFileCommand } from '../../charms/lib/sources.js';
import { HOSTNAME_COMMAND } from '../../charms/lib/host.js';

export function pem(kind: 'CERTIFICATE' | 'RSA PRIVATE KEY', body: string): string {
  return `-----BEGIN ${kind}-----\n${Buffer.from(body).toString('base64')}\n-----END ${kind}-----\n`;
}

export const CA = pem('CERTIFICATE', 'fake ca');
export const ETCD_CA = pem('CERTIFICATE', 'fake etcd ca');
export const ETCD_CERT = pem('CERTIFICATE', 'fake etcd client cert');
export const ETCD_KEY = pem('RSA PRIVATE KEY', 'fake etcd client key');

/** etcd's `db` bag once it published everything a client needs. */
export function etcdBag(connection = 'https://10.0.0.5:2379'): Record<string, string> {
  return {
    connection_string: connection,
    client_ca: ETCD_CA,
    client_cert: ETCD_CERT,
    client_key: ETCD_KEY,
    version: '3.4.23',
  };
}

/** easyrsa's bag after it answered `unit`'s top-level request (and its shared client cert). */
export function certificatesBag(unit: string, withClient = true): Record<string, string> {
  const prefix = unit.replace('/', '_');
  const bag: Record<string, string> = {
    ca: CA,
    [`${prefix}.server.cert`]: pem('CERTIFICATE', `server cert of ${unit}`),
    [`${prefix}.server.key`]: pem('RSA PRIVATE KEY', `server key of ${unit}`),
  };
  if (withClient) {
    bag['client.cert'] = pem('CERTIFICATE', 'shared client cert');
    bag['client.key'] = pem('RSA PRIVATE KEY', 'shared client key');
  }
  return bag;
}

/** apt-cache policy's two lines the charms read. */
export function aptPolicy(pkg: string, candidate?: string): string {
  return `${pkg}:\n  Installed: (none)\n  Candidate: ${candidate ?? '(none)'}\n`;
}

/** The machine's apt lists and dpkg database as the probe stamps them; they never change here. */
export const APT_STAMP = '1700000000.1700000001.';

/**
 * The apt probe's answers about one package: asked afresh (dpkg lacks it, so apt-cache policy
 * speaks), and asked again holding answers for the same stamp (nothing but the stamp).
 */
export function aptProbeAnswers(pkg: string, candidate?: string): Record<string, string> {
  return {
    [aptProbeCommand('', [pkg])]: `stamp ${APT_STAMP}\n${aptPolicy(pkg, candidate)}`,
    [aptProbeCommand(APT_STAMP, [pkg])]: `stamp ${APT_STAMP}\n`,
  };
}

export const RESOURCE_DIR = '/var/lib/rune/resources';

/** Attached resources as the runtime places them: name → path on the machine. */
export function attached(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, `${RESOURCE_DIR}/${n}`]));
}

export interface MachineFacts {
  hostname?: string;
  snapd?: boolean;
  /** Debian package → its candidate version, or undefined when apt has none. */
  apt?: Record<string, string | undefined>;
  /** Resources whose install command must answer. */
  resources?: readonly string[];
}

/** The command table for the probes and installs the charms run. */
export function machineAnswers(facts: MachineFacts): Record<string, RunAnswer> {
  const run: Record<string, RunAnswer> = {
    [HOSTNAME_COMMAND]: `${facts.hostname ?? 'node-0'}\n`,
    [SNAPD_PROBE]: facts.snapd === true ? 'running\n' : '',
  };
  for (const [pkg, candidate] of Object.entries(facts.apt ?? {})) {
    Object.assign(run, aptProbeAnswers(pkg, candidate));
  }
  for (const name of facts.resources ?? []) {
    run[installFileCommand(`${RESOURCE_DIR}/${name}`, `/usr/local/bin/${name}`)] = '';
  }
  return run;
}

/** Checks every bag a charm writes against its interface's schema, as a real relation would. */
export const validateWrite = schemaValidateWrite();
