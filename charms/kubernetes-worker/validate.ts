// kubernetes-worker's config, every option checked before any is used (issue 15 item 11): each
// problem names its option, and a unit with any is blocked before it touches its machine. Pure.
import {
  collect,
  extraArgsProblem,
  mustBe,
  releaseOptionProblems,
  show,
  words,
} from '../lib/option-checks.js';
import { dnsNameProblem } from '../lib/san.js';
import { parseExtraConfig } from './workload.js';

/** config.yaml's defaults (a test keeps the two equal), for options a context leaves out. */
export const WORKER_CONFIG_DEFAULTS = {
  channel: '1.21/stable',
  'install-source': 'auto',
  'release-url': '',
  'require-manual-upgrade': true,
  labels: '',
  'kubelet-extra-args': '',
  'kubelet-extra-config': '{}',
  'proxy-extra-args': '',
} as const;

// Kubernetes' label syntax: a name (and a value, which may be empty) of at most 63 characters,
// alphanumeric at both ends with -, _ and . inside; a key may have a DNS-subdomain prefix.
const LABEL_NAME = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/**
 * kubelet refuses to start with a --node-labels key in the kubernetes.io or k8s.io namespaces
 * (NodeRestriction) unless the key is one of these or under kubelet.kubernetes.io or
 * node.kubernetes.io; node-role.kubernetes.io/..., the one operators try most, is refused.
 */
const KUBELET_LABELS = new Set([
  'kubernetes.io/hostname',
  'kubernetes.io/os',
  'kubernetes.io/arch',
  'beta.kubernetes.io/os',
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type',
  'node.kubernetes.io/instance-type',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
]);

const within = (namespace: string, domain: string) =>
  namespace === domain || namespace.endsWith(`.${domain}`);

/** Why one `key=value` word is no label kubelet would take, or undefined. */
export function labelProblem(word: string): string | undefined {
  const eq = word.indexOf('=');
  if (eq < 0) return `${show(word)} is not key=value`;
  const key = word.slice(0, eq);
  const value = word.slice(eq + 1);
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix !== prefix.toLowerCase() || dnsNameProblem(prefix))) {
    return `${show(word)}: the key's prefix must be a lower-case DNS name`;
  }
  if (!LABEL_NAME.test(name)) {
    return `${show(word)}: the key's name must be 1-63 letters, digits, -, _ or . (alphanumeric at both ends)`;
  }
  if (value !== '' && !LABEL_NAME.test(value)) {
    return `${show(word)}: the value must be empty or 1-63 letters, digits, -, _ or . (alphanumeric at both ends)`;
  }
  const restricted =
    prefix !== undefined && (within(prefix, 'kubernetes.io') || within(prefix, 'k8s.io'));
  const allowed =
    KUBELET_LABELS.has(key) ||
    (prefix !== undefined &&
      (within(prefix, 'kubelet.kubernetes.io') || within(prefix, 'node.kubernetes.io')));
  if (restricted && !allowed) {
    return `${show(word)}: kubelet may not set labels in ${prefix} (only kubelet.kubernetes.io/, node.kubernetes.io/ and the well-known ones)`;
  }
  return undefined;
}

function labelsProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return mustBe('labels', 'space-separated key=value labels', value);
  const bad = words(value, /\s+/).flatMap((w) => labelProblem(w) ?? []);
  return bad.length === 0 ? undefined : `labels must be Kubernetes labels: ${bad.join('; ')}`;
}

function extraConfigProblem(value: unknown): string | undefined {
  const what = 'a JSON map like {"maxPods": 110}, or key: value lines';
  if (typeof value !== 'string') return mustBe('kubelet-extra-config', what, value);
  return typeof parseExtraConfig(value) === 'string'
    ? mustBe('kubelet-extra-config', what, value)
    : undefined;
}

/** Every problem, in config.yaml's option order; empty when the config is fine. */
export function validateWorkerConfig(config: Readonly<Record<string, unknown>>): string[] {
  const c: Record<string, unknown> = { ...WORKER_CONFIG_DEFAULTS, ...config };
  return [
    ...releaseOptionProblems(c),
    ...collect(
      labelsProblem(c['labels']),
      extraArgsProblem('kubelet-extra-args', c['kubelet-extra-args']),
      extraConfigProblem(c['kubelet-extra-config']),
      extraArgsProblem('proxy-extra-args', c['proxy-extra-args']),
    ),
  ];
}
