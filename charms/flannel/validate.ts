// flannel's config, every option checked before any is used (issue 15 item 11): each problem
// names its option, and a unit with any is blocked before it touches its machine. Pure.
import {
  collect,
  installSourceProblem,
  integerProblem,
  ipv4CidrProblem,
  isIpAddress,
  mustBe,
  urlProblem,
} from '../lib/option-checks.js';

/** config.yaml's defaults (a test keeps the two equal), for options a context leaves out. */
export const FLANNEL_CONFIG_DEFAULTS = {
  cidr: '10.1.0.0/16',
  iface: '',
  port: 0,
  vni: 0,
  'install-source': 'auto',
  'archive-url': '',
} as const;

/** Linux interface names: at most 15 bytes (IFNAMSIZ), no slash, colon or space. */
const IFACE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

/** flanneld's -iface takes an interface name or one of the machine's addresses. */
function ifaceProblem(value: unknown): string | undefined {
  const what = 'empty, an interface name like eth0, or an IP address';
  if (typeof value !== 'string') return mustBe('iface', what, value);
  const text = value.trim();
  if (text === '' || IFACE.test(text) || isIpAddress(text)) return undefined;
  return mustBe('iface', what, value);
}

/** Every problem, in config.yaml's option order; empty when the config is fine. */
export function validateFlannelConfig(config: Readonly<Record<string, unknown>>): string[] {
  const c: Record<string, unknown> = { ...FLANNEL_CONFIG_DEFAULTS, ...config };
  return collect(
    // flanneld refuses a network smaller than /28: it leases each machine a part of it.
    ipv4CidrProblem('cidr', c['cidr'], {
      minPrefix: 8,
      maxPrefix: 28,
      example: '10.1.0.0/16',
      why: 'each machine leases a subnet of it',
    }),
    ifaceProblem(c['iface']),
    integerProblem('port', c['port'], 0, 65535),
    // VXLAN network identifiers are 24 bits; 0 keeps flannel's default.
    integerProblem('vni', c['vni'], 0, 16_777_215),
    installSourceProblem(c['install-source']),
    urlProblem('archive-url', c['archive-url']),
  );
}
