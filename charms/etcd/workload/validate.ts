// Checks on the etcd charm's config that its JSON Schema cannot express (ranges, one option
// against another, etcd's own start-up rules), as messages for a blocked status. Pure.
import { INSECURE_CLIENT_URL } from './flags.js';
import { parseInstallSource } from '../../lib/install-source.js';

/** The options these checks read, typed as config.yaml declares them. */
export interface EtcdConfig {
  port: number;
  management_port: number;
  bind_to_all_interfaces: boolean;
  bind_with_insecure_http: boolean;
  heartbeat_interval: number;
  election_timeout: number;
  snapshot_count: number;
  tls_cipher_suites: string;
  channel: string;
  snapd_refresh: string;
  'install-source': string;
}

/** config.yaml's defaults (a test keeps the two equal), for options a context leaves out. */
export const ETCD_CONFIG_DEFAULTS: EtcdConfig = {
  port: 2379,
  management_port: 2380,
  bind_to_all_interfaces: true,
  bind_with_insecure_http: false,
  heartbeat_interval: 100,
  election_timeout: 1000,
  snapshot_count: 10000,
  tls_cipher_suites: '',
  channel: 'auto',
  snapd_refresh: 'max',
  'install-source': 'auto',
};

/** etcd 3.4 refuses to start with an election timeout of 50 s or more. */
const MAX_ELECTION_TIMEOUT_MS = 50_000;
const INSECURE_PORT = Number(new URL(INSECURE_CLIENT_URL).port);

function show(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function isInteger(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Every problem, in config.yaml's option order, each naming its option, e.g.
 * `management_port must be an integer from 1 to 65535, got 70000`. Empty when the config is fine.
 */
export function validateConfig(config: Readonly<{ [K in keyof EtcdConfig]?: unknown }>): string[] {
  const c: Record<string, unknown> = { ...ETCD_CONFIG_DEFAULTS, ...config };
  const problems: string[] = [];
  const ports: Array<'port' | 'management_port'> = ['port', 'management_port'];
  for (const option of ports) {
    const value = c[option];
    if (!isInteger(value, 1, 65535)) {
      problems.push(`${option} must be an integer from 1 to 65535, got ${show(value)}`);
    } else if (c.bind_with_insecure_http === true && value === INSECURE_PORT) {
      problems.push(
        `${option} must not be ${INSECURE_PORT} while bind_with_insecure_http is true: ` +
          `the plain-HTTP listener uses ${INSECURE_CLIENT_URL}`,
      );
    }
  }
  if (c.port === c.management_port && isInteger(c.port, 1, 65535)) {
    problems.push(`port and management_port must differ, both are ${show(c.port)}`);
  }
  const heartbeat = c.heartbeat_interval;
  const election = c.election_timeout;
  if (!isInteger(heartbeat, 1)) {
    problems.push(`heartbeat_interval must be a positive integer (ms), got ${show(heartbeat)}`);
  }
  if (!isInteger(election, 1, MAX_ELECTION_TIMEOUT_MS - 1)) {
    problems.push(
      `election_timeout must be an integer from 1 to ${MAX_ELECTION_TIMEOUT_MS - 1} (ms), ` +
        `got ${show(election)}`,
    );
  } else if (isInteger(heartbeat, 1) && election < 5 * heartbeat) {
    // etcd's own start-up check: a follower must be able to miss a few heartbeats.
    problems.push(
      `election_timeout must be at least 5 times heartbeat_interval (${5 * heartbeat}), ` +
        `got ${election}`,
    );
  }
  if (!isInteger(c.snapshot_count, 1)) {
    problems.push(`snapshot_count must be a positive integer, got ${show(c.snapshot_count)}`);
  }
  const source = parseInstallSource(c['install-source']);
  if ('problem' in source) problems.push(source.problem);
  return problems;
}

/** One line for `ctx.status.set('blocked', ...)`, or undefined when there is nothing to say. */
export function configBlockedMessage(problems: readonly string[]): string | undefined {
  if (problems.length === 0) return undefined;
  return `Invalid config: ${problems.join('; ')}`;
}
