// Checks on every option of the etcd charm's config before any is used (ranges, one option
// against another, etcd's own start-up rules, cipher suite names), as messages for a blocked
// status: a unit with any problem changes nothing, so no member restarts with it. Pure.
import { INSECURE_CLIENT_URL } from './flags.js';
import { cipherSuitesProblem } from './cipher-suites.js';
import {
  booleanProblem,
  collect,
  configBlockedMessage,
  installSourceProblem,
  isInteger as isIntegerIn,
  show,
  snapChannelProblem,
} from '../../lib/option-checks.js';

export { configBlockedMessage };

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

function isInteger(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
  return isIntegerIn(value, min, max);
}

// snapd's refresh.timer: events split by ",,", each a comma-separated list of days (`mon`,
// `fri5`, `mon-fri`) and times (`10:00`, `23:00-01:00`, `9:00~11:00/2`).
const DAY = '(?:mon|tue|wed|thu|fri|sat|sun)[1-5]?';
const TIME = '(?:[01]?[0-9]|2[0-4]):[0-5][0-9]';
const TIMER_TOKEN = new RegExp(`^(?:${DAY}(?:-${DAY})?|${TIME}(?:[-~]${TIME}(?:/[1-9][0-9]*)?)?)$`);

/** Empty (snapd's default), `max` (hold updates) or a refresh.timer value. */
function snapdRefreshProblem(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '' || text === 'max') return undefined;
    const events = text.split(',,').map((event) => event.split(','));
    if (events.every((tokens) => tokens.every((t) => TIMER_TOKEN.test(t)))) return undefined;
  }
  return (
    'snapd_refresh must be max, empty, or a snapd refresh.timer value like ' +
    `fri,23:00-01:00, got ${show(value)}`
  );
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
  problems.push(
    ...collect(
      booleanProblem('bind_to_all_interfaces', c.bind_to_all_interfaces),
      booleanProblem('bind_with_insecure_http', c.bind_with_insecure_http),
    ),
  );
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
  problems.push(
    ...collect(
      cipherSuitesProblem(c.tls_cipher_suites),
      snapChannelProblem('channel', c.channel, ['auto']),
      snapdRefreshProblem(c.snapd_refresh),
      installSourceProblem(c['install-source']),
    ),
  );
  return problems;
}
