// kubernetes-master's config, every option checked before any is used (issue 15 item 11): each
// problem names its option, and a unit with any is blocked before it touches its machine. Pure.
import { parseExtraArgs } from '../lib/flags.js';
import {
  appNameProblem,
  choiceProblem,
  collect,
  dnsNameOptionProblem,
  extraArgsProblem,
  ipListProblem,
  ipv4CidrProblem,
  mustBe,
  releaseOptionProblems,
  sanListProblem,
} from '../lib/option-checks.js';

/** config.yaml's defaults (a test keeps the two equal), for options a context leaves out. */
export const MASTER_CONFIG_DEFAULTS = {
  channel: '1.21/stable',
  'install-source': 'auto',
  'release-url': '',
  'require-manual-upgrade': true,
  'service-cidr': '10.152.183.0/24',
  dns_domain: 'cluster.local',
  'authorization-mode': 'Node,RBAC',
  extra_sans: '',
  'api-extra-args': '',
  'controller-manager-extra-args': '',
  'scheduler-extra-args': '',
  'allow-privileged': 'auto',
  'loadbalancer-ips': '',
  'default-cni': '',
} as const;

/** kube-apiserver's --authorization-mode choices (1.21); names are case-sensitive. */
export const AUTHORIZATION_MODES = [
  'Node',
  'RBAC',
  'ABAC',
  'Webhook',
  'AlwaysAllow',
  'AlwaysDeny',
] as const;

/** kube-apiserver exits at start in these modes unless the flag each names is given. */
const MODE_NEEDS: Readonly<Record<string, string>> = {
  ABAC: 'authorization-policy-file',
  Webhook: 'authorization-webhook-config-file',
};

/** `Node, RBAC` → `Node,RBAC`: kube-apiserver splits on commas and takes no spaces. */
export function authorizationModes(value: string): string[] {
  return value.split(',').map((m) => m.trim());
}

function authorizationProblems(value: unknown, apiExtraArgs: unknown): string[] {
  const extra = typeof apiExtraArgs === 'string' ? parseExtraArgs(apiExtraArgs).flags : {};
  // api-extra-args may set the flag itself, and its flags win: what would run is what is checked.
  const fromExtra = extra['authorization-mode'];
  const option =
    fromExtra === undefined ? 'authorization-mode' : 'api-extra-args authorization-mode';
  const effective: unknown = fromExtra ?? value;
  const what = `comma-separated modes from ${AUTHORIZATION_MODES.join(', ')}`;
  if (typeof effective !== 'string') return [mustBe(option, what, effective)];
  const modes = authorizationModes(effective);
  if (modes.some((m) => !(AUTHORIZATION_MODES as readonly string[]).includes(m))) {
    return [mustBe(option, what, effective)];
  }
  const twice = modes.filter((m, i) => modes.indexOf(m) !== i);
  if (twice.length > 0) return [`${option} names ${[...new Set(twice)].join(', ')} more than once`];
  return modes.flatMap((mode) => {
    const flag = MODE_NEEDS[mode];
    if (flag === undefined || extra[flag] !== undefined) return [];
    return [`${option} ${mode} needs ${flag}=PATH in api-extra-args`];
  });
}

/** Every problem, in config.yaml's option order; empty when the config is fine. */
export function validateMasterConfig(config: Readonly<Record<string, unknown>>): string[] {
  const c: Record<string, unknown> = { ...MASTER_CONFIG_DEFAULTS, ...config };
  return [
    ...releaseOptionProblems(c),
    ...collect(
      // The first service IP is the API's, the tenth DNS's; kube-apiserver refuses above /12.
      ipv4CidrProblem('service-cidr', c['service-cidr'], {
        minPrefix: 12,
        maxPrefix: 28,
        example: '10.152.183.0/24',
        why: 'kube-apiserver takes at most a /12; the DNS service needs the 10th address',
      }),
      dnsNameOptionProblem('dns_domain', c['dns_domain']),
    ),
    ...authorizationProblems(c['authorization-mode'], c['api-extra-args']),
    ...collect(
      sanListProblem('extra_sans', c['extra_sans']),
      extraArgsProblem('api-extra-args', c['api-extra-args']),
      extraArgsProblem('controller-manager-extra-args', c['controller-manager-extra-args']),
      extraArgsProblem('scheduler-extra-args', c['scheduler-extra-args']),
      choiceProblem('allow-privileged', c['allow-privileged'], ['true', 'false', 'auto'], true),
      ipListProblem('loadbalancer-ips', c['loadbalancer-ips']),
      appNameProblem('default-cni', c['default-cni']),
    ),
  ];
}
